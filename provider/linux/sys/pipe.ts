/**
 * pipe2(2) with a chosen capacity, for a child process's output that Node should read in large
 * pieces: Node's own stdio "pipes" are socketpairs read 64 KiB at a time, with ~200 KiB of buffer
 * between the two sides, so a fast producer stalls whenever the reader is busy for a moment.
 */
import { createRequire } from "node:module";
import { SyscallError } from "../../../core/errors.js";

const O_CLOEXEC = 0o2000000;
const F_SETPIPE_SZ = 1031;

let native: { pipe2: (fds: number[], flags: number) => number; fcntl: (fd: number, cmd: number, arg: number) => number; errno: () => number } | undefined;

function bind(): NonNullable<typeof native> {
  if (native) return native;
  const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi");
  const lib = koffi.load("libc.so.6");
  native = {
    pipe2: lib.func("int pipe2(_Out_ int *fds, int flags)") as never,
    fcntl: lib.func("int fcntl(int fd, int cmd, int arg)") as never,
    errno: () => koffi.errno(),
  };
  return native;
}

/**
 * A close-on-exec pipe, [read end, write end]. Its capacity is raised to the first of `capacities`
 * the kernel grants (above /proc/sys/fs/pipe-max-size needs CAP_SYS_RESOURCE); the default 64 KiB
 * stays if none is.
 */
export function openPipe(capacities: number[]): [number, number] {
  const { pipe2, fcntl, errno } = bind();
  const fds = [0, 0];
  if (pipe2(fds, O_CLOEXEC) < 0) throw new SyscallError("pipe2", errno());
  for (const capacity of capacities) if (fcntl(fds[1], F_SETPIPE_SZ, capacity) >= 0) break;
  return [fds[0], fds[1]];
}
