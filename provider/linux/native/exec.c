/* `cinfra-shim exec SPEC PID -- ARGS…`: run a command inside a running container. Joins its cgroups,
 * then its namespaces (mnt last, pid applies to children), and forks the command with the container's
 * user, env, working dir, capabilities and seccomp filter (from the container's own spec). */
#define _GNU_SOURCE
#include "exec.h"
#include "security.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void die(const char *step)
{
	fprintf(stderr, "cinfra exec: %s: %s\n", step, strerror(errno));
	_exit(126);
}

int exec_in_container(struct spec *s, pid_t pid, char **args)
{
	static const struct { const char *name; int type; } order[] = {
		{ "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
		{ "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS },
	};
	int fds[6];
	for (int i = 0; i < 6; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, order[i].name);
		if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			die("open namespace");
	}
	for (int i = 0; i < s->ncgroups; i++) {
		int fd = open(s->cgroups[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) < 0)
			die("join cgroup");
		close(fd);
	}
	for (int i = 0; i < 6; i++)
		if (setns(fds[i], order[i].type) < 0)
			die(order[i].name);
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
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
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
