#ifndef CINFRA_PROXY_H
#define CINFRA_PROXY_H

#include <sys/types.h>

/* Binds every rule's host address, reports on fd 3, detaches and relays forever. Returns in the caller's
 * process (0 once the detached relay reported ok, 1 on failure). */
int run_proxy(const char *state_dir, int nrules, char **rules);

#endif
