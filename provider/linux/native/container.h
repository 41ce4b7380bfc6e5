#ifndef CINFRA_CONTAINER_H
#define CINFRA_CONTAINER_H

#include "spec.h"

/* Runs in the forked child (PID 1 of the new pid namespace): sets the container up and execs the
 * user program. On failure writes "<step> <errno>" to `errfd` and exits 127. Never returns. */
void container_main(const struct spec *s, int errfd) __attribute__((noreturn));

#endif
