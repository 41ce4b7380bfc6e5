/* CRI-format logs from the container's raw output files (see logger.c). */
#ifndef CINFRA_LOGGER_H
#define CINFRA_LOGGER_H

#include "spec.h"

struct logger {
	int raw[2];          /* stdout, stderr raw files, read (and hole-punched) by the shim; -1 when absent */
	int wd[2];           /* their inotify watches */
	long long off[2];    /* bytes of each raw file already converted */
	long long punched[2];
	int log;             /* container.log, O_APPEND */
	long long size;      /* its size, for rotation */
	long long max_size;
	int max_files;
	const char *path;
	int posfd;           /* the persisted offsets */
};

/* Opens the raw files, the log and the saved offsets; watches the raw files on `inotify_fd`.
 * Returns 0, or -1 (errno set); a spec without "log" leaves the logger off (l->log == -1) and returns 0. */
int logger_open(struct logger *l, const struct spec *s, int inotify_fd);
/* Converts what the stream's raw file holds beyond its offset. `final` (the writer exited) also
 * emits an unterminated last line, as a partial entry. */
void logger_pump(struct logger *l, int stream, int final);
/* Drains the inotify fd and pumps the streams in the order their writes were queued. */
struct inotify_event;
/* Events for other watches go to `other` (the state dir: live-updated settings). */
void logger_on_inotify(struct logger *l, int inotify_fd, void (*other)(void *ctx, const struct inotify_event *ev), void *ctx);

#endif
