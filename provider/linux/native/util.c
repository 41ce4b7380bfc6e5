/* Small pieces the helper's modes share: the report pipe, atomic state files, process identity, detaching. */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void report(const char *fmt, ...)
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

void report_done(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0 && null != REPORT_FD) {
		dup3(null, REPORT_FD, O_CLOEXEC);
		close(null);
	}
}

void write_state(const char *dir, const char *name, const char *text, int durable)
{
	char path[4096], tmp[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	ssize_t n = write(fd, text, strlen(text));
	if (durable)
		fsync(fd);
	close(fd);
	if (n >= 0)
		rename(tmp, path);
}

/* Start time of a process in clock ticks (field 22 of /proc/<pid>/stat): with the pid, it names the process for good. */
unsigned long long start_ticks(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	unsigned long long ticks = 0;
	for (int field = 2; p && *p; p++) {
		if (*p == ' ' && ++field == 22) {
			ticks = strtoull(p + 1, NULL, 10);
			break;
		}
	}
	return ticks;
}

void time_now_rfc3339(char *buf, size_t len)
{
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	size_t at = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + at, len - at, ".%09ldZ", now.tv_nsec);
}

int detach(void)
{
	pid_t pid = fork();
	if (pid < 0) {
		report("err fork %d", errno);
		return -1;
	}
	if (pid > 0)
		return 1; /* the caller waits on the report pipe, not on this process */
	setsid();
	/* Signals meant for a terminal or for cinfra must not kill what outlives it. */
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

void reset_signals(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}
