#ifndef CINFRA_EXEC_H
#define CINFRA_EXEC_H

#include "spec.h"

/* Runs ARGS inside the container whose init is PID; returns the command's exit status. */
int exec_in_container(struct spec *s, pid_t pid, char **args);

#endif
