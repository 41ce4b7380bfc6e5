/* `cinfra-shim exec SPEC PID -- ARGS…`: run a command inside a running container. Joins its cgroups,
 * then its namespaces (mnt last, pid applies to children), and forks the command with the container's
 * user, env, working dir, capabilities and seccomp filter (from the container's own spec). */
#define _GNU_SOURCE
#include "exec.h"
#include "pty.h"
#include "security.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void die(const char *step)
{
	fprintf(stderr, "cinfra exec: %s: %s\n", step, strerror(errno));
	_exit(126);
}

static int open_namespace(pid_t pid, const char *name)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("open namespace");
	return fd;
}

static int own_user_namespace(pid_t pid)
{
	char path[64];
	struct stat theirs, ours;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	if (stat(path, &theirs) < 0 || stat("/proc/self/ns/user", &ours) < 0)
		die("stat user namespace");
	return theirs.st_ino == ours.st_ino;
}

int exec_in_container(struct spec *s, pid_t pid, char **args, int flags)
{
	static const struct { const char *name; int type; } order[] = {
		{ "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
		{ "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS },
	};
	int fds[6];
	for (int i = 0; i < 6; i++)
		fds[i] = open_namespace(pid, order[i].name);
	int userns = own_user_namespace(pid) ? -1 : open_namespace(pid, "user");
	for (int i = 0; i < s->ncgroups; i++) {
		int fd = open(s->cgroups[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) < 0)
			die("join cgroup");
		close(fd);
	}
	for (int i = 0; i < 6; i++)
		if (setns(fds[i], order[i].type) < 0)
			die(order[i].name);
	/* A remapped container's user namespace comes last: joining it gives up the host privileges the
	 * joins above need. (Joining the one we are in would fail.) */
	if (userns >= 0 && setns(userns, CLONE_NEWUSER) < 0)
		die("user");
	char slave[64];
	int master = (flags & EXEC_TTY) ? pty_open_master(slave, sizeof(slave)) : -1;
	if ((flags & EXEC_TTY) && master < 0)
		die("open pty");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		if (!(flags & EXEC_STDIN)) {
			int null = open("/dev/null", O_RDONLY);
			if (null < 0 || dup2(null, 0) < 0)
				die("stdin");
		}
		if (master >= 0 && pty_attach(slave) < 0)
			die("attach pty");
		if (chdir(s->cwd) < 0 && chdir("/") < 0)
			die("chdir");
		security_bounding_set(s, (void (*)(const char *))die);
		if (setgroups(s->ngids, s->gids) < 0 || setgid(s->gid) < 0 || setuid(s->uid) < 0)
			die("set user");
		security_final(s, (void (*)(const char *))die);
		environ = s->env;
		execvp(args[0], args);
		die("execve");
	}
	int status;
	if (master >= 0)
		status = pty_relay(master, child, flags & EXEC_STDIN);
	else
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
