/**
 * Typed errors with stable codes. Only cli/ turns these into messages and exit codes;
 * everything else throws them (with `cause` to chain).
 */
export class CinfraError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad user input: `path` names the property, e.g. `container.web.limits.memory`. */
export class ValidationError extends CinfraError {
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly location?: { file: string; line: number; column: number },
  ) {
    super("VALIDATION", `${path}: ${reason}`);
  }
}

/** A failed system call or kernel request; `errno` is the positive errno value. */
export class SyscallError extends CinfraError {
  constructor(
    readonly call: string,
    readonly errno: number,
    readonly path?: string,
    detail?: string,
  ) {
    super("SYSCALL", `${call}${path ? ` ${path}` : ""}: ${errnoName(errno)}${detail ? ` (${detail})` : ""}`);
  }
}

export class StateError extends CinfraError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export class PlanError extends CinfraError {
  constructor(code: string, message: string, readonly location?: { file: string; line: number; column: number }) {
    super(code, message);
  }
}

/** Failure inside the runtime that is not a single syscall (a container that did not start, …). */
export class RuntimeError extends CinfraError {}

/** A Dockerfile that cannot be built as written: names the file and line (`Dockerfile:7: unknown instruction "FOOBAR"`). */
export class DockerfileError extends CinfraError {
  constructor(readonly file: string, readonly line: number, readonly reason: string) {
    super("DOCKERFILE", `${file}:${line}: ${reason}`);
  }
}

/** A stack program that fails to load (syntax error, throw at load, …). */
export class LoadError extends CinfraError {}

const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 9: "EBADF", 11: "EAGAIN", 12: "ENOMEM",
  13: "EACCES", 16: "EBUSY", 17: "EEXIST", 19: "ENODEV", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL",
  24: "EMFILE", 28: "ENOSPC", 30: "EROFS", 34: "ERANGE", 38: "ENOSYS", 39: "ENOTEMPTY", 93: "EPROTONOSUPPORT",
  90: "EMSGSIZE", 95: "EOPNOTSUPP", 97: "EAFNOSUPPORT", 98: "EADDRINUSE", 99: "EADDRNOTAVAIL", 105: "ENOBUFS",
  107: "ENOTCONN", 110: "ETIMEDOUT",
};

export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}
