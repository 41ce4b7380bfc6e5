#define _GNU_SOURCE
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The kernel takes a map in one write: "inside host size" lines. */
static int write_map(pid_t pid, const char *file, const struct id_range *ranges, int n)
{
	char path[64], text[16 * 40];
	size_t len = 0;
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%lu %lu %lu\n", ranges[i].inside, ranges[i].host, ranges[i].size);
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t written = write(fd, text, len);
	int saved = errno;
	close(fd);
	errno = saved;
	return written == (ssize_t)len ? 0 : -1;
}

int userns_create(const struct spec *s, char *failure, size_t failure_len)
{
	int hold[2];
	if (pipe2(hold, O_CLOEXEC) < 0) {
		snprintf(failure, failure_len, "userns-pipe %d", errno);
		return -1;
	}
	/* A child born in the new namespace keeps it alive until we hold a fd to it; then it may go. */
	pid_t child = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (child == 0) {
		char byte;
		close(hold[1]);
		while (read(hold[0], &byte, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(hold[0]);
	int fd = -1;
	if (child < 0) {
		snprintf(failure, failure_len, "userns-clone %d", errno);
	} else if (write_map(child, "uid_map", s->uidmap, s->nuidmap) < 0) {
		snprintf(failure, failure_len, "uid_map %d", errno);
	} else if (write_map(child, "gid_map", s->gidmap, s->ngidmap) < 0) {
		snprintf(failure, failure_len, "gid_map %d", errno);
	} else {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/user", child);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			snprintf(failure, failure_len, "open-userns %d", errno);
	}
	close(hold[1]);
	if (child > 0)
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	return fd;
}

int userns_idmap_mount(int userns_fd, const char *source, const char *target)
{
	int tree = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return -1;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (unsigned long long)userns_fd };
	int rc = mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr));
	if (rc == 0)
		rc = move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
	int saved = errno;
	close(tree);
	errno = saved;
	return rc;
}
