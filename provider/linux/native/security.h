#ifndef CINFRA_SECURITY_H
#define CINFRA_SECURITY_H

#include "spec.h"

/* Steps after pivot_root, in this order: sysctls, masked and read-only paths, read-only root,
 * rlimits, capability bounding set (before the uid change), then after it the capability sets,
 * no_new_privs and the seccomp filter (last, so the helper's own calls are not filtered). */
void security_filesystem(const struct spec *s, void (*fail)(const char *step));
void security_limits(const struct spec *s, void (*fail)(const char *step));
void security_bounding_set(const struct spec *s, void (*fail)(const char *step));
void security_final(const struct spec *s, void (*fail)(const char *step));

#endif
