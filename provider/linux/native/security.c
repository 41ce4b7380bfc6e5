#define _GNU_SOURCE
#include "security.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void write_sysctl(const char *key, const char *value, void (*fail)(const char *))
{
	char path[512];
	int n = snprintf(path, sizeof(path), "/proc/sys/%s", key);
	for (int i = 10; i < n; i++)
		if (path[i] == '.')
			path[i] = '/';
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		fail("sysctl");
	close(fd);
}

void security_filesystem(const struct spec *s, void (*fail)(const char *))
{
	for (int i = 0; i < s->nsysctls; i++)
		write_sysctl(s->sysctls[i].key, s->sysctls[i].value, fail);
	for (int i = 0; i < s->nmasked; i++) {
		struct stat st;
		if (stat(s->masked[i], &st) < 0)
			continue; /* nothing there to hide */
		int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", s->masked[i], "tmpfs", MS_RDONLY, "size=0")
					      : mount("/dev/null", s->masked[i], NULL, MS_BIND, NULL);
		if (rc < 0)
			fail("mask-path");
	}
	for (int i = 0; i < s->nreadonly; i++) {
		if (access(s->readonly[i], F_OK) < 0)
			continue;
		if (mount(s->readonly[i], s->readonly[i], NULL, MS_BIND | MS_REC, NULL) < 0 ||
		    mount(NULL, s->readonly[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
			fail("readonly-path");
	}
	if (s->readonly_root && mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		fail("readonly-rootfs");
}

void security_limits(const struct spec *s, void (*fail)(const char *))
{
	for (int i = 0; i < s->nrlimits; i++) {
		struct rlimit rl = { s->rlimits[i].soft, s->rlimits[i].hard };
		if (setrlimit(s->rlimits[i].resource, &rl) < 0)
			fail("setrlimit");
	}
}

static int has_cap(const struct spec *s, int cap)
{
	return (s->caps >> cap) & 1ULL;
}

void security_bounding_set(const struct spec *s, void (*fail)(const char *))
{
	if (!s->caps_set)
		return;
	for (int cap = 0; cap <= 63; cap++) {
		if (has_cap(s, cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			fail("capbset-drop");
	}
}

void security_final(const struct spec *s, void (*fail)(const char *))
{
	if (s->caps_set) {
		struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct data[2], current[2];
		memset(data, 0, sizeof(data));
		/* Never ask for more than this process holds (hosts may withhold some, e.g. from root in a VM). */
		if (syscall(SYS_capget, &header, current) < 0)
			fail("capget");
		/* A non-root user gets no capabilities, as with Docker; root keeps the granted set. */
		if (s->uid == 0) {
			for (int i = 0; i < 2; i++) {
				uint32_t bits = (uint32_t)(s->caps >> (32 * i)) & current[i].permitted;
				data[i].effective = data[i].permitted = data[i].inheritable = bits;
			}
		}
		if (syscall(SYS_capset, &header, data) < 0)
			fail("capset");
	}
	if (s->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail("no_new_privs");
	if (s->seccomp_len > 0) {
		struct sock_fprog prog = { (unsigned short)s->seccomp_len, (struct sock_filter *)s->seccomp };
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			fail("seccomp");
	}
}
