/* The container writes its stdout/stderr to raw append-only files (never a pipe: a dead reader would
 * kill it with SIGPIPE, and the shim may die). The shim turns them into a CRI-format log,
 *   <RFC3339Nano UTC> stdout|stderr F|P <text>
 * (F: a whole line, P: part of one, split at 16 KiB or cut by the writer's exit), rotated by size into
 * container.log.1 … .N-1. Converted offsets are persisted after each batch (an adopting shim resumes
 * there: a crash between the log write and the offset save repeats at most one batch, never loses
 * one), and converted raw bytes are freed with FALLOC_FL_PUNCH_HOLE, so the raw file's disk use stays
 * small with no truncate racing the writer's appends. */
#define _GNU_SOURCE
#include "logger.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINE 16384
#define PUNCH_EVERY 65536

static char inbuf[2 * MAX_LINE];
static char outbuf[4 * MAX_LINE];
static size_t outlen;

static const char *const STREAM[2] = { "stdout", "stderr" };

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void flush_out(struct logger *l)
{
	if (outlen && write_all(l->log, outbuf, outlen) == 0)
		l->size += (long long)outlen;
	outlen = 0;
}

/* container.log -> .1 -> .2 …, the oldest dropped; one file in all means start it over. */
static void rotate(struct logger *l)
{
	char from[4200], to[4200];
	if (l->max_files <= 1) {
		if (ftruncate(l->log, 0) == 0)
			l->size = 0;
		return;
	}
	snprintf(to, sizeof(to), "%s.%d", l->path, l->max_files - 1);
	unlink(to);
	for (int i = l->max_files - 2; i >= 1; i--) {
		snprintf(from, sizeof(from), "%s.%d", l->path, i);
		snprintf(to, sizeof(to), "%s.%d", l->path, i + 1);
		rename(from, to);
	}
	snprintf(to, sizeof(to), "%s.1", l->path);
	rename(l->path, to);
	int fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		return; /* keep appending to the rotated file rather than lose output */
	close(l->log);
	l->log = fd;
	l->size = 0;
}

static void emit(struct logger *l, const char *stamp, int stream, char tag, const char *text, size_t len)
{
	size_t need = strlen(stamp) + len + 12;
	if (l->max_size > 0 && l->size + (long long)(outlen + need) > l->max_size && l->size + (long long)outlen > 0) {
		flush_out(l);
		rotate(l);
	}
	if (outlen + need > sizeof(outbuf))
		flush_out(l);
	outlen += (size_t)sprintf(outbuf + outlen, "%s %s %c ", stamp, STREAM[stream], tag);
	memcpy(outbuf + outlen, text, len);
	outlen += len;
	outbuf[outlen++] = '\n';
}

static void save_offsets(struct logger *l)
{
	char text[64];
	int n = snprintf(text, sizeof(text), "%020lld %020lld\n", l->off[0], l->off[1]);
	if (l->posfd >= 0 && pwrite(l->posfd, text, (size_t)n, 0) != n) {
		/* next batch writes it again */
	}
}

void logger_pump(struct logger *l, int stream, int final)
{
	int fd = l->raw[stream];
	if (l->log < 0 || fd < 0)
		return;
	char stamp[48];
	time_now_rfc3339(stamp, sizeof(stamp));
	long long before = l->off[stream];
	for (;;) {
		ssize_t n = pread(fd, inbuf, sizeof(inbuf), l->off[stream]);
		if (n <= 0)
			break;
		size_t start = 0;
		for (;;) {
			size_t left = (size_t)n - start;
			char *nl = memchr(inbuf + start, '\n', left < MAX_LINE + 1 ? left : MAX_LINE + 1);
			if (nl) {
				emit(l, stamp, stream, 'F', inbuf + start, (size_t)(nl - (inbuf + start)));
				start = (size_t)(nl - inbuf) + 1;
			} else if (left >= MAX_LINE) {
				emit(l, stamp, stream, 'P', inbuf + start, MAX_LINE);
				start += MAX_LINE;
			} else {
				break;
			}
		}
		if ((size_t)n < sizeof(inbuf) && final && start < (size_t)n) {
			emit(l, stamp, stream, 'P', inbuf + start, (size_t)n - start);
			start = (size_t)n;
		}
		l->off[stream] += (long long)start;
		if ((size_t)n < sizeof(inbuf) || start == 0)
			break;
	}
	if (l->off[stream] != before) {
		flush_out(l);
		save_offsets(l);
	}
	long long upto = l->off[stream] & ~4095LL;
	if (upto - l->punched[stream] >= PUNCH_EVERY || (final && upto > l->punched[stream])) {
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, upto) == 0)
			l->punched[stream] = upto;
	}
}

void logger_on_inotify(struct logger *l, int inotify_fd, void (*other)(void *ctx, const struct inotify_event *ev), void *ctx)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	while ((n = read(inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				logger_pump(l, 0, 0);
				logger_pump(l, 1, 0);
			}
			if (ev->wd == l->wd[0] || ev->wd == l->wd[1])
				logger_pump(l, ev->wd == l->wd[0] ? 0 : 1, 0);
			else if (other)
				other(ctx, ev);
		}
	}
}

static int open_raw(const char *path)
{
	return path ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640) : -1;
}

static void load_offsets(struct logger *l, const char *path)
{
	l->posfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	char text[64] = { 0 };
	if (l->posfd < 0 || pread(l->posfd, text, sizeof(text) - 1, 0) <= 0)
		return;
	sscanf(text, "%lld %lld", &l->off[0], &l->off[1]);
	for (int s = 0; s < 2; s++) {
		struct stat st;
		/* a raw file replaced or cut short since: start it over */
		if (l->raw[s] < 0 || fstat(l->raw[s], &st) < 0 || l->off[s] > st.st_size || l->off[s] < 0)
			l->off[s] = 0;
		l->punched[s] = l->off[s] & ~4095LL;
	}
}

int logger_open(struct logger *l, const struct spec *s, int inotify_fd)
{
	memset(l, 0, sizeof(*l));
	l->raw[0] = l->raw[1] = l->wd[0] = l->wd[1] = l->log = l->posfd = -1;
	if (!s->log_path)
		return 0;
	l->path = s->log_path;
	l->max_size = s->log_max_size;
	l->max_files = s->log_max_files;
	l->raw[0] = open_raw(s->stdout_path);
	int same = s->stderr_path && s->stdout_path && !strcmp(s->stderr_path, s->stdout_path);
	l->raw[1] = same ? -1 : open_raw(s->stderr_path);
	if (l->raw[0] < 0)
		return -1;
	l->log = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	struct stat st;
	if (l->log < 0 || fstat(l->log, &st) < 0)
		return -1;
	l->size = st.st_size;
	load_offsets(l, s->log_offsets_path);
	for (int i = 0; i < 2; i++) {
		const char *path = i == 0 ? s->stdout_path : s->stderr_path;
		if (l->raw[i] >= 0 && (l->wd[i] = inotify_add_watch(inotify_fd, path, IN_MODIFY)) < 0)
			return -1;
	}
	return 0;
}
