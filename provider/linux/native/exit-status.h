#ifndef CINFRA_EXIT_STATUS_H
#define CINFRA_EXIT_STATUS_H

#include <sys/types.h>

#define EXIT_UNKNOWN (-1)  /* the status is gone: recorded as unknown, counted as a failure */
#define EXIT_PENDING (-2)  /* not known yet: ask again */

/* The wait status of a process that is not our child, after its pidfd turned readable. */
int adopted_exit_status(pid_t pid, unsigned long long ticks, int pidfd);

#endif
