/* Health checks (Docker's semantics), run by the shim through the exec path (health.c). */
#ifndef CINFRA_HEALTH_H
#define CINFRA_HEALTH_H

#include "spec.h"
#include <sys/types.h>

#define HEALTH_LOG 5
#define HEALTH_OUTPUT 4096

struct health_result {
	char start[40], end[40];
	int code;
	char output[HEALTH_OUTPUT];
	size_t output_len;
};

struct health {
	/* settings, from <state>/healthcheck (rewritten live by cinfra) */
	int configured;
	long long interval, timeout, start_period, stop_timeout;
	int retries, stop_signal;
	char *args[64];
	char text[8192];
	/* the check in flight */
	pid_t pid;
	int out_fd;
	struct health_result current;
	long long deadline;
	int timed_out, abandoned;
	/* the container's health */
	long long next_at, container_started;
	int streak, status; /* HEALTH_* */
	struct health_result log[HEALTH_LOG];
	int nlog;
};

enum { HEALTH_STARTING, HEALTH_HEALTHY, HEALTH_UNHEALTHY };

/* (Re)reads the settings; 1 when a check is configured. */
int health_load(struct health *h, const char *state_dir);
/* A run of the container began at `started_ms`: status "starting", first check one interval on; an `adopted`
 * run keeps the status recorded before. */
void health_begin(struct health *h, const char *state_dir, long long started_ms, long long now, int adopted);
/* The settings file changed (a live update): a check added to a running container starts one interval on. */
void health_reload(struct health *h, const char *state_dir, long long now);
/* The container is gone: kill a check in flight, schedule nothing. */
void health_end(struct health *h);
/* Due work at `now`: start a check, or kill one past its timeout. Returns the fd of a started check's output
 * (to watch), or -1. */
int health_tick(struct health *h, const struct spec *s, pid_t container, long long now);
/* When health_tick wants to run next (0: nothing scheduled). */
long long health_next(const struct health *h);
/* Output of the check in flight is readable. */
void health_output(struct health *h);
/* A child was reaped: when it is the check, record its result and return 1 (2 when the container just became
 * unhealthy); 0 otherwise. */
int health_reaped(struct health *h, const char *state_dir, pid_t pid, int status, long long now);

#endif
