#define _GNU_SOURCE
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int pty_open_master(char *slave, size_t len)
{
	/* /dev/ptmx inside is a link to pts/ptmx: the container's devpts, not the host's. */
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -1;
	if (unlockpt(master) < 0 || ptsname_r(master, slave, len) != 0) {
		close(master);
		return -1;
	}
	return master;
}

int pty_attach(const char *slave)
{
	if (setsid() < 0)
		return -1;
	int fd = open(slave, O_RDWR);
	if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return -1;
	if (fd > 2)
		close(fd);
	return 0;
}

static volatile sig_atomic_t resized = 1;

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

static void on_child(int sig)
{
	(void)sig; /* only to interrupt poll */
}

static int copy(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN) ? 1 : 0;
	for (ssize_t done = 0; done < n;) {
		ssize_t w = write(to, buf + done, (size_t)(n - done));
		if (w < 0 && errno != EINTR)
			return 0;
		done += w > 0 ? w : 0;
	}
	return 1;
}

int pty_relay(int master, pid_t child, int input)
{
	struct termios saved;
	int raw = input && isatty(0) && tcgetattr(0, &saved) == 0;
	if (raw) {
		struct termios t = saved;
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
	}
	struct sigaction winch = { .sa_handler = on_winch }, chld = { .sa_handler = on_child };
	sigaction(SIGWINCH, &winch, NULL);
	sigaction(SIGCHLD, &chld, NULL);
	int status = 0, exited = 0;
	struct pollfd fds[2] = { { .fd = master, .events = POLLIN }, { .fd = input ? 0 : -1, .events = POLLIN } };
	while (!exited) {
		if (resized && isatty(0)) {
			struct winsize ws;
			if (ioctl(0, TIOCGWINSZ, &ws) == 0)
				ioctl(master, TIOCSWINSZ, &ws);
		}
		resized = 0;
		if (waitpid(child, &status, WNOHANG) == child)
			exited = 1;
		if (poll(fds, 2, exited ? 0 : 1000) < 0)
			continue;
		if ((fds[0].revents & (POLLIN | POLLHUP)) && !copy(master, 1))
			fds[0].fd = -1;
		if ((fds[1].revents & (POLLIN | POLLHUP)) && !copy(0, master)) {
			fds[1].fd = -1;
			/* Our input ended: tell the terminal's reader the way a keyboard would (^D at a line start). */
			if (write(master, "\004", 1) < 0) {
			}
		}
	}
	/* Drain what the command wrote before it exited; the read fails once no process holds the slave. */
	fcntl(master, F_SETFL, O_NONBLOCK);
	while (copy(master, 1) > 0 && errno != EAGAIN)
		;
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	return status;
}
