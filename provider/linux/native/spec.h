/* The container spec written by TypeScript (provider/linux/supervise/spec.ts): NUL-separated
 * tokens, each key followed by a fixed number of values. All policy lives in TypeScript. */
#ifndef CINFRA_SPEC_H
#define CINFRA_SPEC_H

#include <sys/types.h>

#define MAX_ITEMS 256

struct mount_entry {
	const char *source, *target, *fstype, *data;
	unsigned long flags;
};

struct device_entry {
	const char *path;
	char type;
	unsigned int major, minor;
	mode_t mode;
};

struct symlink_entry {
	const char *target, *linkpath;
};

struct id_range {
	unsigned long inside, host, size;
};

struct spec {
	/* pidns: the state dir of the container whose pid namespace to join (its <dir>/pid names the process) */
	const char *id, *state_dir, *rootfs, *netns, *ipcns, *pidns, *hostname, *cwd, *stdout_path, *stderr_path;
	int ns_flags, init;
	uid_t uid;
	gid_t gid;
	gid_t gids[64];
	int ngids;
	struct mount_entry premounts[16];
	int npremounts;
	struct mount_entry mounts[MAX_ITEMS];
	int nmounts;
	struct device_entry devices[32];
	int ndevices;
	struct symlink_entry symlinks[32];
	int nsymlinks;
	const char *cgroups[16];
	int ncgroups;
	char *args[MAX_ITEMS + 1];
	int nargs;
	char *env[MAX_ITEMS + 1];
	int nenv;
	/* security (runtime issue): all decided in TypeScript */
	unsigned long long caps;
	int caps_set, no_new_privs, readonly_root;
	const char *masked[64];
	int nmasked;
	const char *readonly[64];
	int nreadonly;
	struct { int resource; unsigned long long soft, hard; } rlimits[16];
	int nrlimits;
	struct { const char *key, *value; } sysctls[32];
	int nsysctls;
	unsigned char *seccomp; /* struct sock_filter[] decoded from hex */
	int seccomp_len;
	/* user namespace (runtime issue): maps, and the image layers to mount id-mapped at the given targets */
	struct id_range uidmap[16], gidmap[16];
	int nuidmap, ngidmap;
	struct { const char *source, *target; } idmaps[128];
	int nidmaps;
	int userns_fd; /* set by the shim once it made the namespace; -1 without one */
};

/* Parses the spec file into `s` (strings point into a buffer that lives for the process).
 * Returns 0, or -1 with a message in `err`. */
int spec_load(const char *path, struct spec *s, char *err, size_t errlen);

#endif
