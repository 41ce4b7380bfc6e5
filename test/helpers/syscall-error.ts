import { SyscallError } from "../../core/errors.js";

/** Run `fn` and return the SyscallError it throws (any other outcome fails the test). */
export function syscallErrorOf(fn: () => unknown): SyscallError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SyscallError) return error;
    throw error;
  }
  throw new Error("expected a SyscallError");
}
