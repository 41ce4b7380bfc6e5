/* The container's side of the start: each step is a small function, run top to bottom.
 * The namespaces, capabilities and security steps of the runtime issue slot in between. */
#define _GNU_SOURCE
#include "container.h"
#include "security.h"
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int errfd_global = -1;

/* "<step> <errno> [detail]" to the shim (it relays the line to TypeScript), then exit. */
static void fail_at(const char *step, const char *detail)
{
	int saved = errno;
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "%s %d%s%s", step, saved, detail ? " " : "", detail ? detail : "");
	if (n >= (int)sizeof(msg))
		n = sizeof(msg) - 1;
	if (write(errfd_global, msg, n) < 0) {
		/* nothing left to report with */
	}
	_exit(127);
}

static void fail(const char *step)
{
	fail_at(step, NULL);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	int saved = errno;
	close(fd);
	errno = saved;
	return n < 0 ? -1 : 0;
}

/* mkdir -p, walking up only as far as needed (most targets exist, or only their last part is missing). */
static int make_dirs(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", path);
	char *slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return -1;
	*slash = 0;
	if (make_dirs(parent, mode) < 0)
		return -1;
	return mkdir(path, mode) < 0 && errno != EEXIST ? -1 : 0;
}

static void join_cgroups(const struct spec *s)
{
	for (int i = 0; i < s->ncgroups; i++)
		if (write_file(s->cgroups[i], "0") < 0)
			fail_at("cgroup.procs", s->cgroups[i]);
}

static void join_namespace(const char *path, int type, const char *step)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, type) < 0)
		fail_at(step, path);
	close(fd);
}

static void enter_namespaces(const struct spec *s)
{
	if (s->netns)
		join_namespace(s->netns, CLONE_NEWNET, "setns-net");
	if (s->ipcns)
		join_namespace(s->ipcns, CLONE_NEWIPC, "setns-ipc");
	int flags = s->ns_flags & ~CLONE_NEWPID;
	if (s->netns)
		flags &= ~CLONE_NEWNET;
	if (s->ipcns)
		flags &= ~CLONE_NEWIPC;
	/* Not policy but the host's safety: the mounts and pivot_root below must never happen in its namespace. */
	if (!(flags & CLONE_NEWNS)) {
		errno = EINVAL;
		fail("mnt-namespace-required");
	}
	if (unshare(flags) < 0)
		fail("unshare");
	/* Nothing mounted from here on may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fail("mount-private");
}

/* A bind mount's target must exist and be of the source's type; mounts on top create dirs. */
static void prepare_target(const struct mount_entry *m, const char *target)
{
	struct stat st;
	if ((m->flags & MS_BIND) && stat(m->source, &st) == 0 && !S_ISDIR(st.st_mode)) {
		char parent[PATH_MAX];
		snprintf(parent, sizeof(parent), "%s", target);
		char *slash = strrchr(parent, '/');
		if (slash && slash != parent) {
			*slash = 0;
			if (make_dirs(parent, 0755) < 0)
				fail_at("mkdir-mount-parent", parent);
		}
		int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			fail_at("create-mount-file", target);
		close(fd);
		return;
	}
	if (make_dirs(target, 0755) < 0)
		fail_at("mkdir-mount-target", target);
}

static void do_mount(const struct mount_entry *m, const char *target)
{
	const char *fstype = m->fstype[0] ? m->fstype : NULL;
	const char *data = m->data[0] ? m->data : NULL;
	if (mount(m->source, target, fstype, m->flags & ~MS_RDONLY, data) < 0)
		fail_at(m->flags & MS_BIND ? "mount-bind" : "mount", target);
	/* Bind mounts ignore MS_RDONLY on the first call: read-only needs a remount. */
	if ((m->flags & MS_RDONLY) && mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | (m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)), NULL) < 0)
		fail_at("remount-ro", target);
}

static void mount_rootfs(const struct spec *s)
{
	/* Image layers seen through the user namespace's maps, so its root owns what host root owns. */
	for (int i = 0; i < s->nidmaps; i++)
		if (userns_idmap_mount(s->userns_fd, s->idmaps[i].source, s->idmaps[i].target) < 0)
			fail_at("idmap-mount", s->idmaps[i].source);
	for (int i = 0; i < s->npremounts; i++)
		do_mount(&s->premounts[i], s->premounts[i].target);
	for (int i = 0; i < s->nmounts; i++) {
		char target[PATH_MAX];
		snprintf(target, sizeof(target), "%s%s", s->rootfs, s->mounts[i].target);
		prepare_target(&s->mounts[i], target);
		do_mount(&s->mounts[i], target);
	}
}

static void make_devices(const struct spec *s)
{
	mode_t old = umask(0);
	for (int i = 0; i < s->ndevices; i++) {
		const struct device_entry *d = &s->devices[i];
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s%s", s->rootfs, d->path);
		mode_t type = d->type == 'b' ? S_IFBLK : S_IFCHR;
		if (mknod(path, type | d->mode, makedev(d->major, d->minor)) < 0 && errno != EEXIST)
			fail_at("mknod", d->path);
	}
	umask(old);
	for (int i = 0; i < s->nsymlinks; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s%s", s->rootfs, s->symlinks[i].linkpath);
		if (symlink(s->symlinks[i].target, path) < 0 && errno != EEXIST)
			fail_at("symlink", s->symlinks[i].linkpath);
	}
}

static void pivot(const struct spec *s)
{
	/* pivot_root(".", ".") stacks the old root under the new one; detaching it leaves only the container's. */
	if (chdir(s->rootfs) < 0)
		fail_at("chdir-rootfs", s->rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		fail("umount-oldroot");
	if (chdir("/") < 0)
		fail("chdir-root");
}

static void set_identity(const struct spec *s)
{
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		fail("sethostname");
	/* A missing working dir is made as root, before a read-only root or the user change forbid it
	 * (runc does the same); entering it waits for the user change, so its permissions apply. */
	make_dirs(s->cwd, 0755);
	security_filesystem(s, fail);
	security_limits(s, fail);
	/* The last privileged step: from here on, root is root only inside the user namespace. The namespaces
	 * made above stay owned by the host's, so nothing inside can remount, rename or reconfigure them. */
	if (s->userns_fd >= 0 && setns(s->userns_fd, CLONE_NEWUSER) < 0)
		fail("setns-user");
	security_bounding_set(s, fail);
	if (setgroups(s->ngids, s->gids) < 0)
		fail("setgroups");
	if (setgid(s->gid) < 0)
		fail("setgid");
	if (setuid(s->uid) < 0)
		fail("setuid");
	if (chdir(s->cwd) < 0)
		fail_at("chdir-cwd", s->cwd);
}

/* execvp looks the program up in PATH from `environ`: the container's own environment, inside its root. */
static void exec_program(const struct spec *s)
{
	environ = (char **)s->env;
	execvp(s->args[0], (char **)s->args);
	fail_at("execve", s->args[0]);
}

/* PID 1 when `init` is asked: forward every signal to the program (a namespace's init ignores signals it
 * has no handler for; blocked ones still queue), reap every zombie, exit with the program's status. */
static void run_init(const struct spec *s, int errfd)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	pid_t child = fork();
	if (child < 0)
		fail("fork-init");
	if (child == 0) {
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		exec_program(s);
	}
	close(errfd); /* the program's exec closes its copy: EOF tells the shim it started */
	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&all, &info);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		int status;
		pid_t pid;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid == child)
				_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		}
	}
}

/* Whatever the shim inherited from its caller must not reach the container (the report pipe stays
 * CLOEXEC until the exec closes it). close_range is 5.9+: older kernels rely on the callers' CLOEXEC. */
static void seal_fds(void)
{
	syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
}

void container_main(const struct spec *s, int errfd)
{
	errfd_global = errfd;
	seal_fds();
	join_cgroups(s);
	enter_namespaces(s);
	mount_rootfs(s);
	make_devices(s);
	pivot(s);
	set_identity(s);
	/* Capabilities, no_new_privs, seccomp: last, and before the init forks, so PID 1 holds no more than the program. */
	security_final(s, fail);
	if (s->init)
		run_init(s, errfd);
	exec_program(s);
	_exit(127);
}
