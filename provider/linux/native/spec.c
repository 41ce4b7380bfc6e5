#define _GNU_SOURCE
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cursor {
	char *pos, *end;
};

static const char *next(struct cursor *c)
{
	if (c->pos >= c->end)
		return NULL;
	char *token = c->pos;
	c->pos += strlen(token) + 1;
	return token;
}

/* Values per key (provider/linux/supervise/spec.ts writes the same): checked before a key is read,
 * so a truncated or misaligned spec is an error, never a NULL inside a half-filled entry. */
static const struct {
	const char *key;
	int arity;
} KEYS[] = {
	{ "id", 1 }, { "state", 1 }, { "rootfs", 1 }, { "netns", 1 }, { "ipcns", 1 }, { "pidns", 1 }, { "hostname", 1 }, { "cwd", 1 },
	{ "stdout", 1 }, { "stderr", 1 }, { "ns", 1 }, { "init", 1 }, { "uid", 1 }, { "gid", 1 }, { "group", 1 },
	{ "premount", 5 }, { "mount", 5 }, { "dev", 5 }, { "symlink", 2 }, { "cgroup", 1 }, { "arg", 1 },
	{ "env", 1 }, { "caps", 1 }, { "nnp", 1 }, { "rootro", 1 }, { "mask", 1 }, { "ro", 1 }, { "rlimit", 3 },
	{ "sysctl", 2 }, { "seccomp", 1 }, { "uidmap", 3 }, { "gidmap", 3 }, { "idmap", 2 },
};

/* -1: unknown key; otherwise 0 when `arity` values follow, 1 when the spec ends first. */
static int check_values(const struct cursor *c, const char *key)
{
	for (size_t i = 0; i < sizeof(KEYS) / sizeof(KEYS[0]); i++) {
		if (strcmp(KEYS[i].key, key))
			continue;
		const char *p = c->pos;
		for (int n = 0; n < KEYS[i].arity; n++) {
			if (p >= c->end)
				return 1;
			p += strlen(p) + 1;
		}
		return 0;
	}
	return -1;
}

static unsigned long number(const char *text)
{
	return text ? strtoul(text, NULL, 10) : 0;
}

static int read_mount(struct cursor *c, struct mount_entry *m)
{
	m->source = next(c);
	m->target = next(c);
	m->fstype = next(c);
	m->flags = number(next(c));
	m->data = next(c);
	return m->data ? 0 : -1;
}

static unsigned long long limit_value(const char *text)
{
	return !text || !strcmp(text, "-1") ? ~0ULL : strtoull(text, NULL, 10);
}

/* The seccomp program arrives as hex: 8 bytes per struct sock_filter instruction. */
static int decode_hex(const char *hex, struct spec *s)
{
	size_t len = hex ? strlen(hex) : 0;
	if (len == 0 || len % 16 != 0)
		return -1;
	s->seccomp = malloc(len / 2);
	if (!s->seccomp)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		char byte[3] = { hex[2 * i], hex[2 * i + 1], 0 };
		s->seccomp[i] = (unsigned char)strtoul(byte, NULL, 16);
	}
	s->seccomp_len = (int)(len / 16);
	return 0;
}

#define ADD(arr, n, cap) ((n) < (cap) ? &(arr)[(n)++] : NULL)

int spec_load(const char *path, struct spec *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->userns_fd = -1;
	s->cwd = "/";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "open spec %s: %s", path, strerror(errno));
		return -1;
	}
	size_t size = (size_t)st.st_size;
	if (size == 0 || size > (1 << 24)) {
		close(fd);
		snprintf(err, errlen, "spec %s: bad size", path);
		return -1;
	}
	char *buf = malloc(size + 1);
	ssize_t got = buf ? read(fd, buf, size) : -1;
	close(fd);
	if (got != (ssize_t)size) {
		snprintf(err, errlen, "read spec %s", path);
		return -1;
	}
	buf[size] = 0;
	struct cursor c = { buf, buf + size };
	const char *key;
	while ((key = next(&c))) {
		int check = check_values(&c, key);
		if (check != 0) {
			snprintf(err, errlen, check < 0 ? "spec: unknown key %s" : "spec: %s: missing values", key);
			return -1;
		}
		void *slot = (void *)1;
		if (!strcmp(key, "id")) s->id = next(&c);
		else if (!strcmp(key, "state")) s->state_dir = next(&c);
		else if (!strcmp(key, "rootfs")) s->rootfs = next(&c);
		else if (!strcmp(key, "netns")) s->netns = next(&c);
		else if (!strcmp(key, "ipcns")) s->ipcns = next(&c);
		else if (!strcmp(key, "pidns")) s->pidns = next(&c);
		else if (!strcmp(key, "hostname")) s->hostname = next(&c);
		else if (!strcmp(key, "cwd")) s->cwd = next(&c);
		else if (!strcmp(key, "stdout")) s->stdout_path = next(&c);
		else if (!strcmp(key, "stderr")) s->stderr_path = next(&c);
		else if (!strcmp(key, "ns")) s->ns_flags = (int)number(next(&c));
		else if (!strcmp(key, "init")) s->init = (int)number(next(&c));
		else if (!strcmp(key, "uid")) s->uid = (uid_t)number(next(&c));
		else if (!strcmp(key, "gid")) s->gid = (gid_t)number(next(&c));
		else if (!strcmp(key, "group")) {
			gid_t *g = ADD(s->gids, s->ngids, 64);
			if ((slot = g)) *g = (gid_t)number(next(&c));
		} else if (!strcmp(key, "premount")) {
			struct mount_entry *m = ADD(s->premounts, s->npremounts, 16);
			if ((slot = m) && read_mount(&c, m) < 0) slot = NULL;
		} else if (!strcmp(key, "mount")) {
			struct mount_entry *m = ADD(s->mounts, s->nmounts, MAX_ITEMS);
			if ((slot = m) && read_mount(&c, m) < 0) slot = NULL;
		} else if (!strcmp(key, "dev")) {
			struct device_entry *d = ADD(s->devices, s->ndevices, 32);
			if ((slot = d)) {
				d->path = next(&c);
				const char *type = next(&c);
				d->type = type ? type[0] : 'c';
				d->major = (unsigned)number(next(&c));
				d->minor = (unsigned)number(next(&c));
				d->mode = (mode_t)number(next(&c));
			}
		} else if (!strcmp(key, "symlink")) {
			struct symlink_entry *l = ADD(s->symlinks, s->nsymlinks, 32);
			if ((slot = l)) {
				l->target = next(&c);
				l->linkpath = next(&c);
			}
		} else if (!strcmp(key, "cgroup")) {
			const char **g = ADD(s->cgroups, s->ncgroups, 16);
			if ((slot = g)) *g = next(&c);
		} else if (!strcmp(key, "arg")) {
			char **a = ADD(s->args, s->nargs, MAX_ITEMS);
			if ((slot = a)) *a = (char *)next(&c);
		} else if (!strcmp(key, "env")) {
			char **e = ADD(s->env, s->nenv, MAX_ITEMS);
			if ((slot = e)) *e = (char *)next(&c);
		} else if (!strcmp(key, "caps")) {
			const char *v = next(&c);
			s->caps = v ? strtoull(v, NULL, 10) : 0;
			s->caps_set = 1;
		} else if (!strcmp(key, "nnp")) {
			s->no_new_privs = (int)number(next(&c));
		} else if (!strcmp(key, "rootro")) {
			s->readonly_root = (int)number(next(&c));
		} else if (!strcmp(key, "mask")) {
			const char **m = ADD(s->masked, s->nmasked, 64);
			if ((slot = m)) *m = next(&c);
		} else if (!strcmp(key, "ro")) {
			const char **r = ADD(s->readonly, s->nreadonly, 64);
			if ((slot = r)) *r = next(&c);
		} else if (!strcmp(key, "rlimit")) {
			if (s->nrlimits >= 16) {
				slot = NULL;
			} else {
				s->rlimits[s->nrlimits].resource = (int)number(next(&c));
				s->rlimits[s->nrlimits].soft = limit_value(next(&c));
				s->rlimits[s->nrlimits].hard = limit_value(next(&c));
				s->nrlimits++;
			}
		} else if (!strcmp(key, "sysctl")) {
			if (s->nsysctls >= 32) {
				slot = NULL;
			} else {
				s->sysctls[s->nsysctls].key = next(&c);
				s->sysctls[s->nsysctls].value = next(&c);
				s->nsysctls++;
			}
		} else if (!strcmp(key, "seccomp")) {
			if (decode_hex(next(&c), s) < 0)
				slot = NULL;
		} else if (!strcmp(key, "uidmap") || !strcmp(key, "gidmap")) {
			int uid = key[0] == 'u';
			struct id_range *r = uid ? ADD(s->uidmap, s->nuidmap, 16) : ADD(s->gidmap, s->ngidmap, 16);
			if ((slot = r)) {
				r->inside = (unsigned long)number(next(&c));
				r->host = (unsigned long)number(next(&c));
				r->size = (unsigned long)number(next(&c));
			}
		} else if (!strcmp(key, "idmap")) {
			if (s->nidmaps >= 128) {
				slot = NULL;
			} else {
				s->idmaps[s->nidmaps].source = next(&c);
				s->idmaps[s->nidmaps].target = next(&c);
				s->nidmaps++;
			}
		}
		if (!slot) {
			snprintf(err, errlen, "spec: too many or malformed %s entries", key);
			return -1;
		}
	}
	if (!s->rootfs || !s->state_dir || s->nargs == 0) {
		snprintf(err, errlen, "spec: rootfs, state and at least one arg are required");
		return -1;
	}
	return 0;
}
