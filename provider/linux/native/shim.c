/* cinfra-shim SPEC: starts one container and stays as its parent (conmon's model).
 *
 *   cinfra (Node) --spawn--> cinfra-shim --fork--> shim (setsid, detached) --fork--> container PID 1
 *
 * The first process exits at once, so the shim is nobody's child and outlives `cinfra apply`.
 * The shim reports "ok <pid> <shim pid>" or "err <step> <errno> [detail]" on fd 3, writes <state>/pid, waits for the
 * container and writes <state>/exit atomically (supervisor.c). The container's output goes to raw files that
 * the shim converts into the CRI log (logger.c).
 *
 * cinfra-shim adopt SPEC PID TICKS: a new shim for a container whose shim died (it keeps running: its
 * output is in files, not a pipe); it watches the container by pidfd and supervises it from then on. */
#define _GNU_SOURCE
#include "exec.h"
#include "proxy.h"
#include "supervisor.h"
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
	int adopt = argc == 5 && !strcmp(argv[1], "adopt");
	if (argc != 2 && !adopt) {
		fprintf(stderr, "usage: cinfra-shim SPECFILE | adopt SPECFILE PID TICKS\n");
		return 2;
	}
	struct spec s;
	char err[512];
	if (spec_load(argv[adopt ? 2 : 1], &s, err, sizeof(err)) < 0) {
		report("err spec 22 %s", err);
		return 1;
	}
	int detached = detach();
	if (detached != 0)
		return detached < 0 ? 1 : 0;
	/* A remapped root's user namespace, made once: every (re)start of the container joins this one. */
	if (s.nuidmap > 0 && (s.userns_fd = userns_create(&s, err, sizeof(err))) < 0) {
		report("err %s", err);
		return 1;
	}
	if (adopt)
		return supervise(&s, (pid_t)atoi(argv[3]), strtoull(argv[4], NULL, 10));
	return supervise(&s, 0, 0);
}
