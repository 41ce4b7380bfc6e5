#ifndef CINFRA_SUPERVISOR_H
#define CINFRA_SUPERVISOR_H

#include "spec.h"

/* The shim's life after detaching: start the container (or adopt the running one, `adopt_pid` > 0),
 * convert its logs, record each exit, apply the restart policy. Returns the shim's exit status. */
int supervise(const struct spec *s, pid_t adopt_pid, unsigned long long adopt_ticks);

#endif
