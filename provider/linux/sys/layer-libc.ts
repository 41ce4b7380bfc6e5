/**
 * The system calls layer unpacking needs beyond Node's fs: device nodes (overlayfs whiteouts are
 * char devices 0/0) and extended attributes (opaque dirs, file capabilities). Like libc-syscalls.ts,
 * one of the koffi users in sys/; the image store takes any `LayerSyscalls` (tests record calls).
 */
import { closeSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import { SyscallError } from "../../../core/errors.js";

export interface LayerSyscalls {
  /** mknodat(AT_FDCWD, path, mode, makedev(major, minor)); `mode` includes the S_IF* type bits. */
  mknod(path: string, mode: number, major: number, minor: number): void;
  /** lsetxattr(2): never follows a final symlink. */
  lsetxattr(path: string, name: string, value: Buffer): void;
  /** lgetxattr(2); null when the attribute is absent (ENODATA). */
  lgetxattr(path: string, name: string): Buffer | null;
  /** llistxattr(2): the attribute names. */
  llistxattr(path: string): string[];
  /** syncfs(2) on the filesystem holding `path`: one flush for a whole unpacked layer. */
  syncfs(path: string): void;
}

const AT_FDCWD = -100;
const ENODATA = 61;
const ERANGE = 34;
/** mknodat: x86_64 has its own table; aarch64 uses the generic one. */
const SYS_MKNODAT = process.arch === "arm64" ? 33 : 259;

type Native = (...args: unknown[]) => number | bigint;

/** Bind the calls (loads koffi: call lazily). */
export function loadLayerLibc(): LayerSyscalls {
  const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi");
  const lib = koffi.load("libc.so.6");
  const fn = (decl: string): Native => lib.func(decl) as Native;
  const native = {
    syscall: fn("long syscall(long number, ...)"),
    lsetxattr: fn("int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)"),
    lgetxattr: fn("long lgetxattr(const char *path, const char *name, void *value, size_t size)"),
    llistxattr: fn("long llistxattr(const char *path, void *list, size_t size)"),
    syncfs: fn("int syncfs(int fd)"),
  };
  const fail = (call: string, path: string, detail?: string): never => {
    throw new SyscallError(call, koffi.errno(), path, detail);
  };

  /** Query the size, then read; retry if the value grew in between (ERANGE). */
  function readSized(call: string, path: string, read: (buffer: Buffer | null, size: number) => number): Buffer | null {
    for (;;) {
      const size = read(null, 0);
      if (size < 0) {
        if (koffi.errno() === ENODATA) return null;
        fail(call, path);
      }
      const buffer = Buffer.alloc(size);
      const got = size === 0 ? 0 : read(buffer, size);
      if (got >= 0) return buffer.subarray(0, got);
      if (koffi.errno() === ENODATA) return null;
      if (koffi.errno() !== ERANGE) fail(call, path);
    }
  }

  return {
    mknod(path, mode, major, minor) {
      // The kernel's 32-bit "new" dev_t encoding (new_decode_dev): majors < 4096, minors < 2^20.
      const dev = ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & 0xfff00) << 12)) >>> 0;
      const args = ["int", AT_FDCWD, "const char *", path, "uint32_t", mode, "uint32_t", dev];
      if (Number(native.syscall(SYS_MKNODAT, ...args)) < 0) fail("mknodat", path, `mode=0${mode.toString(8)} dev=${major}:${minor}`);
    },
    lsetxattr(path, name, value) {
      if (Number(native.lsetxattr(path, name, value, value.length, 0)) < 0) fail("lsetxattr", path, name);
    },
    lgetxattr(path, name) {
      return readSized("lgetxattr", path, (buffer, size) => Number(native.lgetxattr(path, name, buffer, size)));
    },
    llistxattr(path) {
      const list = readSized("llistxattr", path, (buffer, size) => Number(native.llistxattr(path, buffer, size)));
      return list ? list.toString("utf8").split("\0").filter(Boolean) : [];
    },
    syncfs(path) {
      const fd = openSync(path, "r");
      try {
        if (Number(native.syncfs(fd)) < 0) fail("syncfs", path);
      } finally {
        closeSync(fd);
      }
    },
  };
}
