/* cinfra-shim SPEC: starts one container and stays as its parent (conmon's model).
 *
 *   cinfra (Node) --spawn--> cinfra-shim --fork--> shim (setsid, detached) --fork--> container PID 1
 *
 * The first process exits at once, so the shim is nobody's child and outlives `cinfra apply`.
 * The shim reports "ok <pid>" or "err <step> <errno>" on fd 3, writes <state>/pid, waits for the
 * container and writes <state>/exit atomically. The container's output goes straight to its log file. */
#define _GNU_SOURCE
#include "container.h"
#include "spec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPORT_FD 3

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(REPORT_FD, buf, n) < 0) {
		/* the caller is gone: the state files still tell the story */
	}
}

static void write_state(const char *dir, const char *name, const char *text)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	ssize_t n = write(fd, text, strlen(text));
	fsync(fd);
	close(fd);
	if (n >= 0)
		rename(tmp, path);
}

static int open_log(const char *path)
{
	return open(path ? path : "/dev/null", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

static long long now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int run_shim(const struct spec *s)
{
	int out = open_log(s->stdout_path);
	int err = s->stderr_path && s->stdout_path && !strcmp(s->stderr_path, s->stdout_path) ? dup(out) : open_log(s->stderr_path);
	if (out < 0 || err < 0) {
		report("err open-log %d", errno);
		return 1;
	}
	if (unshare(CLONE_NEWPID) < 0) {
		report("err unshare-pid %d", errno);
		return 1;
	}
	int errpipe[2];
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		report("err pipe %d", errno);
		return 1;
	}
	pid_t child = fork();
	if (child < 0) {
		report("err fork %d", errno);
		return 1;
	}
	if (child == 0) {
		close(errpipe[0]);
		close(REPORT_FD);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(127);
		container_main(s, errpipe[1]);
	}
	close(errpipe[1]);
	close(out);
	close(err);

	char failure[512] = { 0 };
	ssize_t n;
	while ((n = read(errpipe[0], failure, sizeof(failure) - 1)) < 0 && errno == EINTR)
		;
	close(errpipe[0]);
	if (n > 0) {
		int status;
		waitpid(child, &status, 0);
		report("err %s", failure);
		return 1;
	}
	char text[64];
	snprintf(text, sizeof(text), "%d\n", child);
	write_state(s->state_dir, "pid", text);
	report("ok %d", child);
	close(REPORT_FD);

	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	char result[256];
	if (WIFEXITED(status))
		snprintf(result, sizeof(result), "{\"code\":%d,\"signal\":null,\"finishedAt\":%lld}\n", WEXITSTATUS(status), now_ms());
	else
		snprintf(result, sizeof(result), "{\"code\":null,\"signal\":%d,\"finishedAt\":%lld}\n", WTERMSIG(status), now_ms());
	write_state(s->state_dir, "exit", result);
	return 0;
}

int main(int argc, char **argv)
{
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
	pid_t pid = fork();
	if (pid < 0) {
		report("err fork %d", errno);
		return 1;
	}
	if (pid > 0)
		return 0; /* the caller waits on the report pipe, not on us */
	setsid();
	/* Signals meant for a terminal or for cinfra must not kill the container's parent. */
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	return run_shim(&s);
}
