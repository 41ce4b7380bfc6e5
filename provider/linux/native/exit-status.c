/* The exit status of an adopted container (its first shim died, so it is not our child and waitpid cannot
 * see it): /proc/<pid>/stat field 52 holds the wait status while it is a zombie; once its new parent reaped it,
 * PIDFD_GET_INFO with PIDFD_INFO_EXIT (Linux 6.15+) still has it through the pidfd. */
#define _GNU_SOURCE
#include "exit-status.h"
#include "util.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* struct pidfd_info of uapi/linux/pidfd.h (6.15+), declared here for older headers; the ioctl number encodes
 * its size, which the kernel accepts from PIDFD_INFO_SIZE_VER0 (64) up. */
struct pidfd_exit_info {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
	uint32_t coredump_mask, spare;
};
#define PIDFD_GET_INFO_IOCTL _IOWR(0xFF, 11, struct pidfd_exit_info)
#define PIDFD_INFO_EXIT_FLAG (1ULL << 3)

int adopted_exit_status(pid_t pid, unsigned long long ticks, int pidfd)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		buf[n] = 0;
		char *p = strrchr(buf, ')');
		char state = p && p[1] == ' ' ? p[2] : 0;
		if (state == 'Z' && start_ticks(pid) == ticks) {
			char *last = strrchr(buf, ' ');
			return last ? atoi(last + 1) : EXIT_UNKNOWN;
		}
	}
	struct pidfd_exit_info info;
	memset(&info, 0, sizeof(info));
	info.mask = PIDFD_INFO_EXIT_FLAG;
	if (ioctl(pidfd, PIDFD_GET_INFO_IOCTL, &info) == 0 && (info.mask & PIDFD_INFO_EXIT_FLAG))
		return info.exit_code;
	return EXIT_PENDING;
}
