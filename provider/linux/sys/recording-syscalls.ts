/**
 * A `Syscalls` that records every call, for orchestration tests. Calls go to `inner` when given
 * (e.g. the real libc one, to inject one failure into a real-kernel test); otherwise they succeed
 * with fake results (fds counting up from 100, pid/tid 4242). `failOn` makes a chosen call throw
 * SyscallError like the kernel would, without reaching `inner`.
 */
import { SyscallError } from "../../../core/errors.js";
import type { Syscalls } from "./syscalls.js";

export interface RecordedCall {
  name: keyof Syscalls;
  args: unknown[];
}

export interface RecordingSyscalls {
  syscalls: Syscalls;
  calls: RecordedCall[];
  /** Make the next calls named `name` (optionally only when `match(args)`) fail with `errno`. */
  failOn(name: keyof Syscalls, errno: number, match?: (args: unknown[]) => boolean): void;
}

/** A Record so that adding a method to Syscalls without listing it here fails to compile. */
const METHOD_SET: Record<keyof Syscalls, true> = {
  mount: true, umount2: true, unshare: true, setns: true, open: true, close: true, getpid: true, gettid: true, kill: true,
  pidfdOpen: true, pidfdSendSignal: true, socket: true, bindNetlink: true, setsockopt: true, send: true, recv: true,
};
const METHODS = Object.keys(METHOD_SET) as Array<keyof Syscalls>;

export function recordingSyscalls(inner?: Syscalls): RecordingSyscalls {
  const calls: RecordedCall[] = [];
  const failures: Array<{ name: keyof Syscalls; errno: number; match?: (args: unknown[]) => boolean }> = [];
  let nextFd = 100;

  function fake(name: keyof Syscalls, args: unknown[]): unknown {
    switch (name) {
      case "open":
      case "socket":
      case "pidfdOpen":
        return nextFd++;
      case "getpid":
      case "gettid":
        return 4242;
      case "send":
        return (args[1] as Buffer).length;
      case "recv":
        return 0;
      default:
        return undefined;
    }
  }

  const syscalls = {} as Record<keyof Syscalls, (...args: unknown[]) => unknown>;
  for (const name of METHODS) {
    syscalls[name] = (...args: unknown[]) => {
      calls.push({ name, args });
      const failure = failures.find((f) => f.name === name && (!f.match || f.match(args)));
      if (failure) throw new SyscallError(name, failure.errno, typeof args[0] === "string" ? args[0] : undefined);
      if (!inner) return fake(name, args);
      return (inner[name] as (...a: unknown[]) => unknown).apply(inner, args);
    };
  }

  return {
    syscalls: syscalls as unknown as Syscalls,
    calls,
    failOn(name, errno, match) {
      failures.push({ name, errno, match });
    },
  };
}
