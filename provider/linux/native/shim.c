/* cinfra-shim SPEC: starts one container and stays as its parent (conmon's model).
 *
 *   cinfra (Node) --spawn--> cinfra-shim --fork--> shim (setsid, detached) --fork--> container PID 1
 *
 * The first process exits at once, so the shim is nobody's child and outlives `cinfra apply`.
 * The shim reports "ok <pid> <shim pid>" or "err <step> <errno> [detail]" on fd 3, writes <state>/pid, waits for the
 * container and writes <state>/exit atomically. The container's output goes straight to its log file. */
#define _GNU_SOURCE
#include "container.h"
#include "exec.h"
#include "proxy.h"
#include "util.h"
#include "spec.h"
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>


static int open_log(const char *path)
{
	return open(path ? path : "/dev/null", O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_CLOEXEC, 0640);
}

static long long now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* The restart policy is read from <state>/restart at every exit, so a live update of `restart` takes effect. */
static int should_restart(const struct spec *s, int status, int restarts)
{
	char path[4096], text[64] = "no 0";
	snprintf(path, sizeof(path), "%s/stopped", s->state_dir);
	if (access(path, F_OK) == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/restart", s->state_dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, text, sizeof(text) - 1);
		text[n > 0 ? n : 0] = 0;
		close(fd);
	}
	char mode[32] = "no";
	int max = 0;
	sscanf(text, "%31s %d", mode, &max);
	int failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	if (!strcmp(mode, "always") || !strcmp(mode, "unless-stopped"))
		return 1;
	if (!strcmp(mode, "on-failure"))
		return failed && (max == 0 || restarts < max);
	return 0;
}

/* Docker's back-off: 100 ms doubling up to 10 s, reset after a run of 10 s; a stop request ends the wait. */
static int backoff(const struct spec *s, long long delay_ms)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/stopped", s->state_dir);
	for (long long waited = 0; waited < delay_ms; waited += 50) {
		if (access(path, F_OK) == 0)
			return 0;
		usleep(50 * 1000);
	}
	return access(path, F_OK) != 0;
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

/* Fork the container once; returns its pid, or -1 after reporting why it did not start. */
static pid_t start_once(const struct spec *s, const int stdio[3], char *failure, size_t failure_len)
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
		/* Ignored signals survive exec: give the container the defaults the shim set aside. */
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
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

/* The container's stdio, opened once by the shim and kept across restarts: stdin /dev/null, output
 * appended to the log files (never a pipe: a dead reader would kill the writer with SIGPIPE). */
static int open_stdio(const struct spec *s, int stdio[3])
{
	stdio[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	stdio[1] = open_log(s->stdout_path);
	int same = s->stderr_path && s->stdout_path && !strcmp(s->stderr_path, s->stdout_path);
	stdio[2] = same ? fcntl(stdio[1], F_DUPFD_CLOEXEC, 3) : open_log(s->stderr_path);
	return stdio[0] < 0 || stdio[1] < 0 || stdio[2] < 0 ? -1 : 0;
}

static int run_shim(struct spec *s)
{
	int stdio[3];
	if (open_stdio(s, stdio) < 0) {
		report("err open-log %d", errno);
		return 1;
	}
	if (s->nuidmap > 0) {
		char failure[128];
		if ((s->userns_fd = userns_create(s, failure, sizeof(failure))) < 0) {
			report("err %s", failure);
			return 1;
		}
	}
	char text[256];
	snprintf(text, sizeof(text), "%d %llu\n", getpid(), start_ticks(getpid()));
	write_state(s->state_dir, "shim", text, 0);
	long long delay = 100;
	for (int restarts = 0;; restarts++) {
		char failure[512] = { 0 };
		long long started = now_ms();
		pid_t child = start_once(s, stdio, failure, sizeof(failure));
		int status = 127 << 8;
		if (child < 0) {
			if (restarts == 0) {
				report("err %s", failure);
				return 1;
			}
		} else {
			snprintf(text, sizeof(text), "%d %llu %d %lld\n", child, start_ticks(child), restarts, started);
			write_state(s->state_dir, "pid", text, 0);
			if (restarts == 0) {
				report("ok %d %d", child, getpid());
				close(REPORT_FD);
			}
			while (waitpid(child, &status, 0) < 0 && errno == EINTR)
				;
		}
		if (WIFEXITED(status))
			snprintf(text, sizeof(text), "{\"code\":%d,\"signal\":null,\"finishedAt\":%lld,\"restarts\":%d}\n", WEXITSTATUS(status), now_ms(), restarts);
		else
			snprintf(text, sizeof(text), "{\"code\":null,\"signal\":%d,\"finishedAt\":%lld,\"restarts\":%d}\n", WTERMSIG(status), now_ms(), restarts);
		write_state(s->state_dir, "exit", text, 1); /* durable: exit codes are never lost */
		if (!should_restart(s, status, restarts))
			return 0;
		if (now_ms() - started > 10000)
			delay = 100;
		if (!backoff(s, delay))
			return 0;
		delay = delay * 2 > 10000 ? 10000 : delay * 2;
	}
}

/* A caller may start us with fd 0-2 or the report fd closed: fill them with /dev/null, so no file opened
 * later lands there (to be clobbered by the container's stdio, or to receive the report). */
static void ensure_low_fds(void)
{
	int fd;
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= REPORT_FD)
		;
	if (fd > REPORT_FD)
		close(fd);
}

/* `exec SPEC PID [-i] [-t] -- ARGS…` */
static int exec_main(int argc, char **argv)
{
	int flags = 0, i = 4;
	for (; i < argc && strcmp(argv[i], "--"); i++)
		flags |= !strcmp(argv[i], "-i") ? EXEC_STDIN : !strcmp(argv[i], "-t") ? EXEC_TTY : 0;
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: cinfra-shim exec SPEC PID [-i] [-t] -- ARGS...\n");
		return 126;
	}
	struct spec s;
	char err[512];
	if (spec_load(argv[2], &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "cinfra exec: %s\n", err);
		return 126;
	}
	return exec_in_container(&s, (pid_t)atoi(argv[3]), argv + i + 1, flags);
}

int main(int argc, char **argv)
{
	ensure_low_fds();
	if (argc >= 4 && !strcmp(argv[1], "proxy"))
		return run_proxy(argv[2], argc - 3, argv + 3);
	if (argc >= 6 && !strcmp(argv[1], "exec"))
		return exec_main(argc, argv);
	if (argc != 2) {
		fprintf(stderr, "usage: cinfra-shim SPECFILE\n");
		return 2;
	}
	struct spec s;
	char err[512];
	if (spec_load(argv[1], &s, err, sizeof(err)) < 0) {
		report("err spec 22 %s", err);
		return 1;
	}
	int detached = detach();
	if (detached != 0)
		return detached < 0 ? 1 : 0;
	return run_shim(&s);
}
