/* One start of the container: its stdio (raw files) and the clone into a new pid namespace. */
#define _GNU_SOURCE
#include "launch.h"
#include "container.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The container's stdio, opened once and kept across restarts: stdin /dev/null, output appended to the
 * raw files (never a pipe: a dead reader would kill the writer with SIGPIPE). */
int open_stdio(const struct spec *s, int stdio[3])
{
	const int flags = O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_CLOEXEC;
	stdio[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	stdio[1] = open(s->stdout_path ? s->stdout_path : "/dev/null", flags, 0640);
	int same = s->stderr_path && s->stdout_path && !strcmp(s->stderr_path, s->stdout_path);
	stdio[2] = same ? fcntl(stdio[1], F_DUPFD_CLOEXEC, 3) : open(s->stderr_path ? s->stderr_path : "/dev/null", flags, 0640);
	return stdio[0] < 0 || stdio[1] < 0 || stdio[2] < 0 ? -1 : 0;
}

/* Enter the pid namespace of the process <owner state>/pid names ("<pid> <start ticks> …"), read afresh at
 * every start so a restart follows the owner's restarts. The ns is opened first and the start time checked
 * after: a pid reused meanwhile fails the check instead of joining a stranger's namespace. */
static int join_owner_pidns(const char *owner_state, char *failure, size_t failure_len)
{
	char path[4096], proc[64], text[128] = { 0 };
	snprintf(path, sizeof(path), "%s/pid", owner_state);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	if (fd >= 0)
		close(fd);
	int pid = 0;
	unsigned long long ticks = 0;
	if (n <= 0 || sscanf(text, "%d %llu", &pid, &ticks) != 2 || pid <= 0) {
		snprintf(failure, failure_len, "pidns-owner %d %.400s", ENOENT, path);
		return -1;
	}
	snprintf(proc, sizeof(proc), "/proc/%d/ns/pid", pid);
	int ns = open(proc, O_RDONLY | O_CLOEXEC);
	if (ns < 0 || start_ticks(pid) != ticks) {
		snprintf(failure, failure_len, "pidns-owner %d %s (the owning container is not running)", ns < 0 ? errno : ESRCH, proc);
		if (ns >= 0)
			close(ns);
		return -1;
	}
	int rc = setns(ns, CLONE_NEWPID);
	int saved = errno;
	close(ns);
	if (rc < 0) {
		snprintf(failure, failure_len, "setns-pid %d %s", saved, proc);
		return -1;
	}
	return 0;
}

/* Fork the container once; returns its pid, or -1 with the reason in `failure`. */
pid_t start_once(const struct spec *s, const int stdio[3], int keep_out, char *failure, size_t failure_len)
{
	int errpipe[2];
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		snprintf(failure, failure_len, "pipe %d", errno);
		return -1;
	}
	/* clone(CLONE_NEWPID) rather than unshare + fork: unshare works once per process, and a restart needs
	 * a fresh pid namespace each time (the old one dies with its init). NULL stack: fork semantics.
	 * A shared pid namespace is entered by the shim itself: setns(CLONE_NEWPID) moves only its children. */
	int flags = SIGCHLD;
	if (s->pidns) {
		if (join_owner_pidns(s->pidns, failure, failure_len) < 0) {
			close(errpipe[0]);
			close(errpipe[1]);
			return -1;
		}
	} else {
		flags |= CLONE_NEWPID;
	}
	pid_t child = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (child < 0) {
		snprintf(failure, failure_len, "clone %d", errno);
		return -1;
	}
	if (child == 0) {
		close(errpipe[0]);
		close(REPORT_FD);
		if (keep_out >= 0)
			close(keep_out); /* an init that never execs would hold it (the shim's lock), and no shim could adopt */
		/* Ignored and blocked signals survive exec: give the container the defaults the shim set aside. */
		reset_signals();
		for (int fd = 0; fd < 3; fd++)
			if (dup2(stdio[fd], fd) < 0)
				_exit(127);
		container_main(s, errpipe[1]);
	}
	close(errpipe[1]);
	ssize_t n;
	while ((n = read(errpipe[0], failure, failure_len - 1)) < 0 && errno == EINTR)
		;
	close(errpipe[0]);
	if (n > 0) {
		failure[n] = 0;
		int status;
		waitpid(child, &status, 0);
		return -1;
	}
	return child;
}
