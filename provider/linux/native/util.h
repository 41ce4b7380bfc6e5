#ifndef CINFRA_UTIL_H
#define CINFRA_UTIL_H

#include <sys/types.h>

#define REPORT_FD 3

/* One line to the caller on fd 3: "ok …" or "err <step> <errno> …". */
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Done reporting: fd 3 becomes /dev/null (EOF for the caller), so nothing opened later lands on fd 3, where a
 * forked container closes it. */
void report_done(void);
/* Write <dir>/<name> atomically (tmp + rename), fsync'ed when `durable` (the exit status; pid files
 * name live processes and mean nothing after a reboot, so they skip the ~1 ms flush on the start path). */
void write_state(const char *dir, const char *name, const char *text, int durable);
/* Start time in clock ticks (field 22 of /proc/<pid>/stat); with the pid it names the process for good. */
unsigned long long start_ticks(pid_t pid);
/* The current time as RFC 3339 with nanoseconds, UTC ("2026-12-06T22:19:27.123456789Z"). */
void time_now_rfc3339(char *buf, size_t len);
/* Fork away from the caller and start a session: 1 in the caller, 0 in the detached child, -1 on error (reported). */
int detach(void);

/* In a child about to exec: no blocked signals, and the defaults for those the shim ignores or handles
 * (ignored ones survive exec). */
void reset_signals(void);

#endif
