/**
 * `Syscalls` over glibc through koffi: the only module in cinfra that touches koffi.
 * koffi is required lazily (it costs tens of ms to load), and errno is read with `koffi.errno()`
 * immediately after each call, before any other JS can disturb it.
 */
import { createRequire } from "node:module";
import { SyscallError } from "../../../core/errors.js";
import type { Syscalls } from "./syscalls.js";

type Koffi = typeof import("koffi");
type Native = (...args: unknown[]) => number | bigint;

/** x86_64 and aarch64 share these numbers (new syscalls use the unified table). */
const SYS_PIDFD_SEND_SIGNAL = 424;
const SYS_PIDFD_OPEN = 434;
const AF_NETLINK = 16;

export function loadLibcSyscalls(): Syscalls {
  const koffi = createRequire(import.meta.url)("koffi") as Koffi;
  const lib = koffi.load("libc.so.6");
  const fn = (decl: string): Native => lib.func(decl) as Native;

  const native = {
    mount: fn("int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)"),
    umount2: fn("int umount2(const char *target, int flags)"),
    unshare: fn("int unshare(int flags)"),
    setns: fn("int setns(int fd, int nstype)"),
    open: fn("int open(const char *path, int flags, ...)"),
    close: fn("int close(int fd)"),
    getpid: fn("int getpid(void)"),
    gettid: fn("int gettid(void)"),
    kill: fn("int kill(int pid, int sig)"),
    syscall: fn("long syscall(long number, ...)"),
    socket: fn("int socket(int domain, int type, int protocol)"),
    bind: fn("int bind(int fd, const void *addr, uint32_t addrlen)"),
    setsockopt: fn("int setsockopt(int fd, int level, int name, const void *value, uint32_t len)"),
    send: fn("long send(int fd, const void *buf, size_t len, int flags)"),
    recv: fn("long recv(int fd, void *buf, size_t len, int flags)"), // a Buffer is passed by address: the kernel writes into it directly
  };

  /** Turn a C return value into a number, throwing SyscallError with the errno of that very call. */
  function check(call: string, result: number | bigint, path?: string): number {
    const value = Number(result);
    if (value < 0) throw new SyscallError(call, koffi.errno(), path);
    return value;
  }

  return {
    mount(source, target, fstype, flags, data) {
      check("mount", native.mount(source, target, fstype, flags, data), target);
    },
    umount2(target, flags) {
      check("umount2", native.umount2(target, flags), target);
    },
    unshare(flags) {
      check("unshare", native.unshare(flags), `flags=0x${flags.toString(16)}`);
    },
    setns(fd, nstype) {
      check("setns", native.setns(fd, nstype), `fd=${fd}`);
    },
    open(path, flags, mode = 0) {
      return check("open", native.open(path, flags, "uint32_t", mode), path);
    },
    close(fd) {
      check("close", native.close(fd), `fd=${fd}`);
    },
    getpid() {
      return Number(native.getpid());
    },
    gettid() {
      return Number(native.gettid());
    },
    kill(pid, signal) {
      check("kill", native.kill(pid, signal), `pid=${pid}`);
    },
    pidfdOpen(pid, flags = 0) {
      return check("pidfd_open", native.syscall(SYS_PIDFD_OPEN, "int", pid, "uint32_t", flags), `pid=${pid}`);
    },
    pidfdSendSignal(pidfd, signal) {
      const result = native.syscall(SYS_PIDFD_SEND_SIGNAL, "int", pidfd, "int", signal, "void *", null, "uint32_t", 0);
      check("pidfd_send_signal", result, `pidfd=${pidfd}`);
    },
    socket(domain, type, protocol) {
      return check("socket", native.socket(domain, type, protocol));
    },
    bindNetlink(fd, portId = 0, groups = 0) {
      // struct sockaddr_nl { u16 nl_family; u16 nl_pad; u32 nl_pid; u32 nl_groups; }
      const addr = Buffer.alloc(12);
      addr.writeUInt16LE(AF_NETLINK, 0);
      addr.writeUInt32LE(portId, 4);
      addr.writeUInt32LE(groups, 8);
      check("bind", native.bind(fd, addr, addr.length), `fd=${fd}`);
    },
    setsockopt(fd, level, name, value) {
      check("setsockopt", native.setsockopt(fd, level, name, value, value.length), `fd=${fd} opt=${level}/${name}`);
    },
    send(fd, data, flags = 0) {
      return check("send", native.send(fd, data, data.length, flags), `fd=${fd}`);
    },
    recv(fd, buffer, flags = 0) {
      return check("recv", native.recv(fd, buffer, buffer.length, flags), `fd=${fd}`);
    },
  };
}
