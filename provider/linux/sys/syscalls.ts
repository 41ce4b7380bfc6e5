/**
 * The one interface for every system call cinfra makes (youki's model): orchestration code takes a
 * `Syscalls`, so tests can record calls, while behaviour tests use the real kernel through libc.
 *
 * Every method throws SyscallError(call, errno, path) on failure; none returns -1.
 * Calls run synchronously on the calling JS thread: namespace changes (unshare/setns) affect that
 * thread only, which is what the namespace toggle relies on (ARCHITECTURE.md, "The runtime start path").
 */
import { loadLibcSyscalls } from "./libc-syscalls.js";

export interface Syscalls {
  /** mount(2); `source`, `fstype` and `data` may be null (bind mounts, remounts, propagation changes). */
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  unshare(flags: number): void;
  setns(fd: number, nstype: number): void;
  /** open(2); returns the fd. `mode` only matters with O_CREAT. */
  open(path: string, flags: number, mode?: number): number;
  close(fd: number): void;
  getpid(): number;
  /** Thread id of the calling thread; equals getpid() on Node's main thread. */
  gettid(): number;
  kill(pid: number, signal: number): void;
  /** pidfd_open(2): a stable handle on a process (survives pid reuse); returns the fd. */
  pidfdOpen(pid: number, flags?: number): number;
  pidfdSendSignal(pidfd: number, signal: number): void;
  socket(domain: number, type: number, protocol: number): number;
  /** bind(2) with a sockaddr_nl; `portId` 0 lets the kernel pick one. */
  bindNetlink(fd: number, portId?: number, groups?: number): void;
  setsockopt(fd: number, level: number, name: number, value: Buffer): void;
  /** send(2) the whole buffer; returns the bytes sent. */
  send(fd: number, data: Buffer, flags?: number): number;
  /** recv(2) into `buffer`; returns the byte count (with MSG_TRUNC: the datagram's real length). */
  recv(fd: number, buffer: Buffer, flags?: number): number;
}

let libc: Syscalls | undefined;

/** The libc-backed implementation; koffi and libc are loaded once, on first use. */
export function createSyscalls(): Syscalls {
  libc ??= loadLibcSyscalls();
  return libc;
}
