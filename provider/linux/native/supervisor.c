/* The shim's event loop (one thread, epoll): a signalfd for its children (the container, health checks),
 * inotify on the raw output files (logger.c), a timerfd for back-off, health checks and, for an adopted
 * container (not our child: its first shim died), a pidfd that turns readable when it exits. */
#define _GNU_SOURCE
#include "supervisor.h"
#include "exit-status.h"
#include "health.h"
#include "launch.h"
#include "logger.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


/* <state>/shim.lock, held (flock) for the shim's life: one supervisor per container, even when two cinfra
 * commands find it orphaned at once; the kernel drops it when the shim dies, however it dies. */
static int lock_fd = -1;

enum { EV_SIGNAL, EV_INOTIFY, EV_TIMER, EV_PIDFD, EV_HEALTH };

struct sup {
	const struct spec *s;
	struct logger log;
	int ep, sigfd, ino, timer, pidfd;
	int stdio[3];
	pid_t child;
	unsigned long long ticks;
	int restarts, done;
	long long started, delay;
	long long backoff_until; /* 0 unless waiting to restart */
	long long exit_wait_until; /* adopted: how long to look for the exit status */
	struct health health;
	int state_wd;
	int unhealthy_stop;        /* stopped for being unhealthy: counts as a failure */
	long long kill_at;         /* ... and SIGKILL then, if the stop signal did not end it */
};

static long long now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int stopped(const struct spec *s)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/stopped", s->state_dir);
	return access(path, F_OK) == 0;
}

/* The restart policy is read from <state>/restart when needed, so a live update of `restart` takes effect. */
static void read_policy(const struct spec *s, char mode[32], int *max)
{
	char path[4096], text[64] = "no 0";
	snprintf(path, sizeof(path), "%s/restart", s->state_dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, text, sizeof(text) - 1);
		text[n > 0 ? n : 0] = 0;
		close(fd);
	}
	strcpy(mode, "no");
	*max = 0;
	sscanf(text, "%31s %d", mode, max);
}

static int should_restart(const struct spec *s, int status, int restarts, int unhealthy)
{
	if (stopped(s))
		return 0;
	char mode[32];
	int max;
	read_policy(s, mode, &max);
	int failed = unhealthy || status == EXIT_UNKNOWN || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	if (!strcmp(mode, "always") || !strcmp(mode, "unless-stopped"))
		return 1;
	if (!strcmp(mode, "on-failure"))
		return failed && (max == 0 || restarts < max);
	return 0;
}

static int watch(int ep, int fd, int tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)tag };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static long long earliest(long long a, long long b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

static void arm(struct sup *u)
{
	long long next = 0, now = now_ms();
	if (u->child > 0)
		next = earliest(health_next(&u->health), u->kill_at);
	if (u->backoff_until)
		next = earliest(next, earliest(u->backoff_until, now + 50)); /* a stop request ends the wait */
	if (u->exit_wait_until)
		next = earliest(next, now + 100);
	struct itimerspec it = { 0 };
	if (next) {
		long long in = next > now ? next - now : 1;
		it.it_value.tv_sec = in / 1000;
		it.it_value.tv_nsec = (in % 1000) * 1000000;
	}
	timerfd_settime(u->timer, 0, &it, NULL);
}

static void record_start(struct sup *u)
{
	char text[128];
	snprintf(text, sizeof(text), "%d %llu %d %lld\n", u->child, u->ticks, u->restarts, u->started);
	write_state(u->s->state_dir, "pid", text, 0);
}

/* The container is gone: finish its log, record the status (durable: exit codes are never lost), and
 * either end or wait out the back-off (Docker's: 100 ms doubling to 10 s, reset after a 10 s run). */
static void on_exit_status(struct sup *u, int status)
{
	logger_pump(&u->log, 0, 1);
	logger_pump(&u->log, 1, 1);
	char text[256];
	if (status == EXIT_UNKNOWN)
		snprintf(text, sizeof(text), "{\"code\":null,\"signal\":null,\"unknown\":true,\"finishedAt\":%lld,\"restarts\":%d}\n", now_ms(), u->restarts);
	else if (WIFEXITED(status))
		snprintf(text, sizeof(text), "{\"code\":%d,\"signal\":null,\"finishedAt\":%lld,\"restarts\":%d}\n", WEXITSTATUS(status), now_ms(), u->restarts);
	else
		snprintf(text, sizeof(text), "{\"code\":null,\"signal\":%d,\"finishedAt\":%lld,\"restarts\":%d}\n", WTERMSIG(status), now_ms(), u->restarts);
	write_state(u->s->state_dir, "exit", text, 1);
	health_end(&u->health);
	int unhealthy = u->unhealthy_stop;
	u->unhealthy_stop = 0;
	u->kill_at = 0;
	u->child = 0;
	u->exit_wait_until = 0;
	if (u->pidfd >= 0) {
		close(u->pidfd);
		u->pidfd = -1;
	}
	if (!should_restart(u->s, status, u->restarts, unhealthy)) {
		u->done = 1;
		return;
	}
	if (now_ms() - u->started > 10000)
		u->delay = 100;
	u->backoff_until = now_ms() + u->delay;
	u->delay = u->delay * 2 > 10000 ? 10000 : u->delay * 2;
	arm(u);
}

/* Start (again); the first start of a fresh shim reports to its caller. */
static int run_container(struct sup *u, int first)
{
	char failure[512] = { 0 };
	if (u->stdio[0] < 0 && open_stdio(u->s, u->stdio) < 0) {
		snprintf(failure, sizeof(failure), "open-log %d", errno);
		u->child = -1;
	} else {
		u->started = now_ms();
		u->child = start_once(u->s, u->stdio, lock_fd, failure, sizeof(failure));
	}
	if (u->child < 0) {
		u->child = 0;
		if (first) {
			report("err %s", failure);
			return -1;
		}
		write_state(u->s->state_dir, "start-error", failure, 0); /* why a restart did not start: for inspect */
		on_exit_status(u, 127 << 8);
		return 0;
	}
	u->ticks = start_ticks(u->child);
	record_start(u);
	health_begin(&u->health, u->s->state_dir, u->started, now_ms(), 0);
	arm(u);
	if (first) {
		report("ok %d %d", u->child, getpid());
		report_done();
	}
	return 0;
}

/* An adopted container exited (its pidfd turned readable): find its status, or look again shortly. */
static void collect_adopted(struct sup *u)
{
	int status = adopted_exit_status(u->child, u->ticks, u->pidfd);
	if (status != EXIT_PENDING) {
		on_exit_status(u, status);
		return;
	}
	if (!u->exit_wait_until)
		u->exit_wait_until = now_ms() + 5000;
	else if (now_ms() > u->exit_wait_until) {
		on_exit_status(u, EXIT_UNKNOWN); /* older kernel, reaped already: the status is gone */
		return;
	}
	arm(u);
}

/* Through the pidfd when the container is adopted: its pid could name another process once its new parent reaps it. */
static void signal_child(struct sup *u, int sig)
{
	if (u->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, u->pidfd, sig, NULL, 0);
	else
		kill(u->child, sig);
}

/* `restart` acts on unhealthy (unless it is "no"): stop the container as `cinfra stop` would (its stop
 * signal, SIGKILL after the stop timeout); the exit then counts as a failure for the policy. */
static void on_unhealthy(struct sup *u)
{
	char mode[32];
	int max;
	read_policy(u->s, mode, &max);
	if (!strcmp(mode, "no") || stopped(u->s))
		return;
	u->unhealthy_stop = 1;
	signal_child(u, u->health.stop_signal > 0 ? u->health.stop_signal : SIGTERM);
	u->kill_at = now_ms() + (u->health.stop_timeout > 0 ? u->health.stop_timeout : 1);
}

static void on_signal(struct sup *u)
{
	struct signalfd_siginfo si;
	while (read(u->sigfd, &si, sizeof(si)) == sizeof(si))
		;
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == u->child && u->pidfd < 0)
			on_exit_status(u, status);
		else if (health_reaped(&u->health, u->s->state_dir, pid, status, now_ms()) == 2 && u->child > 0)
			on_unhealthy(u);
	}
	arm(u);
}

static void on_timer(struct sup *u)
{
	uint64_t ticks;
	if (read(u->timer, &ticks, sizeof(ticks)) < 0) {
		/* spurious: re-armed below */
	}
	if (u->exit_wait_until && u->pidfd >= 0) {
		collect_adopted(u);
		return;
	}
	if (u->child > 0) {
		long long now = now_ms();
		if (u->kill_at && now >= u->kill_at) {
			signal_child(u, SIGKILL);
			u->kill_at = 0;
		}
		int fd = health_tick(&u->health, u->s, u->child, now);
		if (fd >= 0)
			watch(u->ep, fd, EV_HEALTH);
		arm(u);
	}
	if (u->backoff_until) {
		if (stopped(u->s)) {
			u->done = 1;
			return;
		}
		if (now_ms() >= u->backoff_until) {
			u->backoff_until = 0;
			u->restarts++;
			run_container(u, 0);
		}
		arm(u);
	}
}

/* <state>/healthcheck was rewritten (a live update of `healthcheck`, `stopSignal` or `stopTimeout`). */
static void on_state_file(void *ctx, const struct inotify_event *ev)
{
	struct sup *u = ctx;
	if (ev->wd == u->state_wd && ev->len && !strcmp(ev->name, "healthcheck") && u->child > 0) {
		health_reload(&u->health, u->s->state_dir, now_ms());
		arm(u);
	}
}

/* "<pid> <ticks> <restarts> <startedAt>" of the run being adopted. */
static void load_run(struct sup *u)
{
	char path[4096], text[128] = { 0 };
	snprintf(path, sizeof(path), "%s/pid", u->s->state_dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, text, sizeof(text) - 1) < 0)
			text[0] = 0;
		close(fd);
	}
	int pid = 0;
	unsigned long long ticks = 0;
	sscanf(text, "%d %llu %d %lld", &pid, &ticks, &u->restarts, &u->started);
}

int supervise(const struct spec *s, pid_t adopt_pid, unsigned long long adopt_ticks)
{
	struct sup u = { .s = s, .pidfd = -1, .stdio = { -1, -1, -1 }, .delay = 100 };
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	u.ep = epoll_create1(EPOLL_CLOEXEC);
	u.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	u.ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	u.timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (u.ep < 0 || u.sigfd < 0 || u.ino < 0 || u.timer < 0 || logger_open(&u.log, s, u.ino) < 0) {
		report("err open-log %d", errno);
		return 1;
	}
	watch(u.ep, u.sigfd, EV_SIGNAL);
	watch(u.ep, u.ino, EV_INOTIFY);
	watch(u.ep, u.timer, EV_TIMER);
	u.state_wd = inotify_add_watch(u.ino, s->state_dir, IN_MOVED_TO);
	u.health.out_fd = -1;
	char text[4200];
	snprintf(text, sizeof(text), "%s/shim.lock", s->state_dir);
	lock_fd = open(text, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
		report("err supervised %d", errno); /* another shim watches this container */
		return 1;
	}
	snprintf(text, sizeof(text), "%d %llu\n", getpid(), start_ticks(getpid()));
	write_state(s->state_dir, "shim", text, 0);
	if (adopt_pid > 0) {
		load_run(&u);
		u.child = adopt_pid;
		u.ticks = adopt_ticks;
		u.pidfd = (int)syscall(SYS_pidfd_open, adopt_pid, 0);
		/* gone, or the pid now names another process: the exit was missed while no shim watched */
		if (u.pidfd < 0 || start_ticks(adopt_pid) != adopt_ticks)
			on_exit_status(&u, EXIT_UNKNOWN);
		else {
			watch(u.ep, u.pidfd, EV_PIDFD);
			health_begin(&u.health, s->state_dir, u.started, now_ms(), 1);
			arm(&u);
		}
		report("ok %d %d", adopt_pid, getpid());
		report_done();
		/* output written while no shim watched */
		logger_pump(&u.log, 0, 0);
		logger_pump(&u.log, 1, 0);
	} else if (run_container(&u, 1) < 0) {
		return 1;
	}
	while (!u.done) {
		struct epoll_event evs[8];
		int n = epoll_wait(u.ep, evs, 8, -1);
		for (int i = 0; i < n && !u.done; i++) {
			switch (evs[i].data.u32) {
			case EV_SIGNAL: on_signal(&u); break;
			case EV_INOTIFY: logger_on_inotify(&u.log, u.ino, on_state_file, &u); break;
			case EV_HEALTH: health_output(&u.health); break;
			case EV_TIMER: on_timer(&u); break;
			case EV_PIDFD:
				epoll_ctl(u.ep, EPOLL_CTL_DEL, u.pidfd, NULL);
				collect_adopted(&u);
				break;
			}
		}
	}
	return 0;
}
