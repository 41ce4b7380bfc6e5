/**
 * Named network namespaces as nsfs bind mounts on plain files (what `ip netns add` does, under a
 * directory the caller picks, e.g. `${runRoot}/netns/<id>`).
 *
 * Switching namespaces uses the main-thread toggle: the calling JS thread enters the namespace,
 * does its synchronous work and always returns to the namespace it came from (saved as an fd),
 * even on error. Node's other threads never move; nothing async may run in between, and nothing does,
 * because every step here is a synchronous call.
 */
import { mkdirSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { RuntimeError, SyscallError } from "../../../core/errors.js";
import { CLONE_NEWNET, MNT_DETACH, MS_BIND, O_CLOEXEC, O_CREAT, O_EXCL, O_RDONLY } from "../sys/constants.js";
import { createSyscalls, type Syscalls } from "../sys/syscalls.js";
import { Links } from "./links.js";
import { NetlinkSocket } from "./netlink-socket.js";

/** The calling thread's own namespace (on Node's main thread the same as /proc/self/ns/net). */
const THREAD_NETNS = "/proc/thread-self/ns/net";
const EINVAL = 22;
const ENOENT = 2;

/** Create a network namespace pinned at `path` (which must not exist), with `lo` up inside. */
export function createNetns(path: string, sys: Syscalls = createSyscalls()): void {
  mkdirSync(dirname(path), { recursive: true });
  sys.close(sys.open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444));
  let mounted = false;
  try {
    insideFreshNamespace(sys, () => {
      sys.mount(THREAD_NETNS, path, null, MS_BIND, null);
      mounted = true;
      const links = new Links(NetlinkSocket.open(sys));
      try {
        links.setUp("lo"); // containers expect a working loopback
      } finally {
        links.socket.close();
      }
    });
  } catch (error) {
    if (mounted) tryUnmount(sys, path);
    removeFile(path);
    throw error;
  }
}

/** Unmount and delete a named namespace; fine if it is already (partly) gone. */
export function removeNetns(path: string, sys: Syscalls = createSyscalls()): void {
  tryUnmount(sys, path);
  removeFile(path);
}

/** Fd of the namespace pinned at `path` (e.g. for createVeth's peerNetnsFd); the caller closes it. */
export function openNetns(path: string, sys: Syscalls = createSyscalls()): number {
  return sys.open(path, O_RDONLY | O_CLOEXEC);
}

/** A Links over a netlink socket living inside the namespace at `path`; the caller closes `socket`. */
export function openLinksInNetns(path: string, sys: Syscalls = createSyscalls()): Links {
  const nsFd = openNetns(path, sys);
  try {
    return new Links(insideNamespace(sys, nsFd, () => NetlinkSocket.open(sys)));
  } finally {
    sys.close(nsFd);
  }
}

/** Run `fn` with Links inside the namespace at `path`; the socket is closed when `fn` settles. */
export async function withNetns<T>(path: string, fn: (links: Links) => T | Promise<T>, sys: Syscalls = createSyscalls()): Promise<T> {
  const links = openLinksInNetns(path, sys);
  try {
    return await fn(links);
  } finally {
    links.socket.close();
  }
}

/** Enter the namespace behind `nsFd`, run the synchronous `fn`, and come back. */
export function insideNamespace<T>(sys: Syscalls, nsFd: number, fn: () => T): T {
  return toggle(sys, () => sys.setns(nsFd, CLONE_NEWNET), fn);
}

function insideFreshNamespace<T>(sys: Syscalls, fn: () => T): T {
  return toggle(sys, () => sys.unshare(CLONE_NEWNET), fn);
}

function toggle<T>(sys: Syscalls, enter: () => void, fn: () => T): T {
  const home = sys.open(THREAD_NETNS, O_RDONLY | O_CLOEXEC);
  try {
    enter();
    try {
      return fn();
    } finally {
      goHome(sys, home);
    }
  } finally {
    sys.close(home);
  }
}

function goHome(sys: Syscalls, home: number): void {
  try {
    sys.setns(home, CLONE_NEWNET);
  } catch (cause) {
    // the thread is now stranded in the wrong namespace: nothing network-related is safe any more
    throw new RuntimeError("NETNS_RESTORE", "could not return to the original network namespace", { cause });
  }
}

function tryUnmount(sys: Syscalls, path: string): void {
  try {
    sys.umount2(path, MNT_DETACH);
  } catch (error) {
    // EINVAL: not a mount point (already unmounted); ENOENT: no file at all
    if (!(error instanceof SyscallError && (error.errno === EINVAL || error.errno === ENOENT))) throw error;
  }
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    const errno = Math.abs((error as NodeJS.ErrnoException).errno ?? 0);
    if (errno === ENOENT) return;
    throw new SyscallError("unlink", errno, path);
  }
}
