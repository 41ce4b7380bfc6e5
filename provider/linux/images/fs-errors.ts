/** Node's fs errors as cinfra's typed errors: a failed syscall becomes SyscallError(call, errno, path). */
import { CinfraError, SyscallError } from "../../../core/errors.js";

export function typedError(error: unknown): Error {
  if (error instanceof CinfraError) return error;
  const err = error as NodeJS.ErrnoException;
  if (err && typeof err.syscall === "string" && typeof err.errno === "number") return new SyscallError(err.syscall, Math.abs(err.errno), err.path);
  return error instanceof Error ? error : new Error(String(error));
}

/** Run `action`, turning whatever it throws into a typed error. */
export async function withTypedErrors<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw typedError(error);
  }
}
