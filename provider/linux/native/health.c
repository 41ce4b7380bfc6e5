/* Health checks with Docker's semantics: every `interval` the check runs inside the container (exec.c: its
 * namespaces, cgroup, user, env); exit 0 is a success (healthy at once), anything else, or running past
 * `timeout` (then the check's process group is killed), a failure; `retries` failures in a row make the
 * container unhealthy, except that failures within `startPeriod` of the start do not count while it is still
 * starting. The state goes to <state>/health as JSON, atomically, with the last 5 results. */
#define _GNU_SOURCE
#include "health.h"
#include "exec.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const STATUS[] = { "starting", "healthy", "unhealthy" };

/* NUL-separated: interval timeout retries startPeriod stopSignal stopTimeout (ms, signal number), then the argv. */
int health_load(struct health *h, const char *state_dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/healthcheck", state_dir);
	h->configured = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, h->text, sizeof(h->text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	h->text[n] = 0;
	char *tok[70];
	int ntok = 0;
	for (char *p = h->text; p < h->text + n && ntok < 70; p += strlen(p) + 1)
		tok[ntok++] = p;
	if (ntok < 7)
		return 0;
	h->interval = atoll(tok[0]);
	h->timeout = atoll(tok[1]);
	h->retries = atoi(tok[2]);
	h->start_period = atoll(tok[3]);
	h->stop_signal = atoi(tok[4]);
	h->stop_timeout = atoll(tok[5]);
	int nargs = 0;
	for (int i = 6; i < ntok && nargs < 63; i++)
		h->args[nargs++] = tok[i];
	h->args[nargs] = NULL;
	h->configured = h->interval > 0 && nargs > 0;
	return h->configured;
}

static size_t json_string(char *out, size_t cap, const char *text, size_t len)
{
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < len && o + 8 < cap; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o++] = '"';
	return o;
}

static void save(const struct health *h, const char *state_dir)
{
	static char buf[HEALTH_LOG * (HEALTH_OUTPUT * 6 + 200) + 200];
	size_t o = (size_t)snprintf(buf, sizeof(buf), "{\"Status\":\"%s\",\"FailingStreak\":%d,\"Log\":[", STATUS[h->status], h->streak);
	for (int i = 0; i < h->nlog; i++) {
		const struct health_result *r = &h->log[i];
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s{\"Start\":\"%s\",\"End\":\"%s\",\"ExitCode\":%d,\"Output\":", i ? "," : "", r->start, r->end, r->code);
		o += json_string(buf + o, sizeof(buf) - o, r->output, r->output_len);
		buf[o++] = '}';
	}
	snprintf(buf + o, sizeof(buf) - o, "]}\n");
	write_state(state_dir, "health", buf, 0);
}

/* An adopted container keeps the status and streak its previous shim recorded (the result log starts over). */
static void resume(struct health *h, const char *state_dir)
{
	char path[4096], text[256] = { 0 };
	snprintf(path, sizeof(path), "%s/health", state_dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return;
	for (int i = 0; i < 3; i++) {
		char key[48];
		snprintf(key, sizeof(key), "\"Status\":\"%s\"", STATUS[i]);
		if (strstr(text, key))
			h->status = i;
	}
	const char *streak = strstr(text, "\"FailingStreak\":");
	if (streak)
		h->streak = atoi(streak + strlen("\"FailingStreak\":"));
}

void health_begin(struct health *h, const char *state_dir, long long started_ms, long long now, int adopted)
{
	health_end(h);
	h->status = HEALTH_STARTING;
	h->streak = 0;
	if (adopted)
		resume(h, state_dir);
	h->container_started = started_ms;
	if (!health_load(h, state_dir)) {
		h->next_at = 0;
		return;
	}
	h->next_at = now + h->interval;
	if (!adopted)
		save(h, state_dir);
}

void health_end(struct health *h)
{
	if (h->pid > 0) {
		kill(-h->pid, SIGKILL); /* reaped through SIGCHLD; its result is dropped */
		h->abandoned = 1;
	}
	h->next_at = 0;
	h->deadline = 0;
}

long long health_next(const struct health *h)
{
	if (h->pid > 0)
		return h->deadline;
	return h->next_at;
}

static int start_check(struct health *h, const struct spec *s, pid_t container)
{
	int out[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		return -1;
	memset(&h->current, 0, sizeof(h->current));
	time_now_rfc3339(h->current.start, sizeof(h->current.start));
	pid_t pid = fork();
	if (pid < 0) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if (pid == 0) {
		/* its own process group: a timeout kills the helper and the command it forked inside the container */
		setpgid(0, 0);
		reset_signals();
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(out[1], 2) < 0)
			_exit(126);
		syscall(SYS_close_range, 3U, ~0U, 0U); /* the shim's fds (its lock above all) stay with the shim */
		_exit(exec_in_container((struct spec *)s, container, h->args, 0));
	}
	setpgid(pid, pid);
	close(out[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	h->pid = pid;
	h->out_fd = out[0];
	h->timed_out = 0;
	h->abandoned = 0;
	return out[0];
}

void health_reload(struct health *h, const char *state_dir, long long now)
{
	if (!health_load(h, state_dir))
		h->next_at = 0;
	else if (h->pid <= 0 && !h->next_at)
		h->next_at = now + h->interval;
}

int health_tick(struct health *h, const struct spec *s, pid_t container, long long now)
{
	if (h->pid > 0) {
		if (h->deadline && now >= h->deadline && !h->timed_out) {
			h->timed_out = 1;
			kill(-h->pid, SIGKILL);
		}
		return -1;
	}
	if (!h->next_at || now < h->next_at)
		return -1;
	if (!health_load(h, s->state_dir)) {
		h->next_at = 0;
		return -1;
	}
	int fd = start_check(h, s, container);
	h->next_at = 0;
	h->deadline = now + h->timeout;
	if (fd < 0)
		h->next_at = now + h->interval;
	return fd;
}

/* Keeps the output's tail: the end of a long output says most about why a check failed. */
void health_output(struct health *h)
{
	char buf[4096];
	ssize_t n;
	struct health_result *r = &h->current;
	while (h->out_fd >= 0 && (n = read(h->out_fd, buf, sizeof(buf))) > 0) {
		size_t len = (size_t)n;
		if (r->output_len + len > HEALTH_OUTPUT) {
			size_t drop = r->output_len + len - HEALTH_OUTPUT;
			memmove(r->output, r->output + drop, r->output_len - drop);
			r->output_len -= drop;
		}
		memcpy(r->output + r->output_len, buf, len);
		r->output_len += len;
	}
}

int health_reaped(struct health *h, const char *state_dir, pid_t pid, int status, long long now)
{
	if (pid != h->pid || pid <= 0)
		return 0;
	health_output(h);
	close(h->out_fd);
	h->out_fd = -1;
	h->pid = 0;
	h->deadline = 0;
	struct health_result *r = &h->current;
	time_now_rfc3339(r->end, sizeof(r->end));
	if (h->timed_out) {
		r->code = -1;
		r->output_len = (size_t)snprintf(r->output, sizeof(r->output), "Health check exceeded timeout (%lld ms)", h->timeout);
	} else {
		r->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (h->abandoned)
		return 1; /* the container ended meanwhile */
	if (h->nlog == HEALTH_LOG)
		memmove(&h->log[0], &h->log[1], sizeof(h->log[0]) * (HEALTH_LOG - 1));
	else
		h->nlog++;
	h->log[h->nlog - 1] = *r;
	int became_unhealthy = 0;
	if (r->code == 0) {
		h->status = HEALTH_HEALTHY;
		h->streak = 0;
	} else if (!(h->status == HEALTH_STARTING && now - h->container_started < h->start_period)) {
		h->streak++;
		if (h->streak >= h->retries && h->status != HEALTH_UNHEALTHY) {
			h->status = HEALTH_UNHEALTHY;
			became_unhealthy = 1;
		}
	}
	save(h, state_dir);
	h->next_at = now + h->interval;
	return became_unhealthy ? 2 : 1;
}
