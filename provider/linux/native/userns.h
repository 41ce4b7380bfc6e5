/* User-namespace remapping: the shim makes the namespace once (it outlives restarts); the container joins
 * it as its last privileged step, after mounting its root over id-mapped image layers. */
#ifndef CINFRA_USERNS_H
#define CINFRA_USERNS_H

#include "spec.h"

#include <stddef.h>

/* A user namespace with the spec's uid/gid maps, held by the returned fd; -1 with `failure` set on error. */
int userns_create(const struct spec *s, char *failure, size_t failure_len);
/* Bind `source` at `target` with its owners shifted through the namespace's maps (an id-mapped mount). */
int userns_idmap_mount(int userns_fd, const char *source, const char *target);

#endif
