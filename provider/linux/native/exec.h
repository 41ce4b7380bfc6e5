#ifndef CINFRA_EXEC_H
#define CINFRA_EXEC_H

#include "spec.h"

#define EXEC_STDIN 1 /* -i: the caller's stdin reaches the command (else /dev/null) */
#define EXEC_TTY 2   /* -t: the command gets a terminal of the container's */

/* Runs ARGS inside the container whose init is PID; returns the command's exit status. */
int exec_in_container(struct spec *s, pid_t pid, char **args, int flags);

#endif
