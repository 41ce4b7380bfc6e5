#ifndef CINFRA_LAUNCH_H
#define CINFRA_LAUNCH_H

#include "spec.h"

/* The container's stdio, opened once and kept across restarts: stdin /dev/null, stdout/stderr the raw files. */
int open_stdio(const struct spec *s, int stdio[3]);
/* Forks the container once (PID 1 of a new pid namespace); `keep_out` is closed in the child. Returns its pid,
 * or -1 with the failed step in `failure`. */
pid_t start_once(const struct spec *s, const int stdio[3], int keep_out, char *failure, size_t failure_len);

#endif
