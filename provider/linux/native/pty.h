/* `exec -t`: the command gets a terminal from the container's own devpts instance (so /dev/pts/N exists
 * inside), and the exec helper relays it to the caller's stdio. */
#ifndef CINFRA_PTY_H
#define CINFRA_PTY_H

#include <stddef.h>
#include <sys/types.h>

/* After joining the container's mount namespace: a new master, its slave's path in `slave`. -1 on error. */
int pty_open_master(char *slave, size_t len);
/* In the command's process: a new session with the slave as controlling terminal and stdio. -1 on error. */
int pty_attach(const char *slave);
/* Relay caller stdin (when `input`) to the master and the master to stdout until `child` exits and its
 * output is drained; puts a terminal stdin in raw mode meanwhile. Returns the child's wait status. */
int pty_relay(int master, pid_t child, int input);

#endif
