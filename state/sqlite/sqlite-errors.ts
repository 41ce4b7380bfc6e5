/** better-sqlite3 failures as StateError naming the file: damaged -> STATE_CORRUPT, anything else -> STATE_IO. */
import { StateError } from "../../core/errors.js";

const CORRUPT = /^SQLITE_(CORRUPT|NOTADB)/;

export function isCorruptError(error: unknown): boolean {
  return CORRUPT.test(String((error as { code?: unknown }).code ?? ""));
}

/** The error to throw for `error` from an operation on `path`; our own StateErrors and bugs pass through. */
export function sqliteFailure(error: unknown, path: string): unknown {
  if (error instanceof StateError) return error;
  // Only JSON.parse of a stored column throws SyntaxError here: the row was damaged outside cinfra.
  if (error instanceof SyntaxError) {
    return new StateError("STATE_CORRUPT", `state ${path} holds a row that is not valid JSON (${error.message})`, { cause: error });
  }
  const code = String((error as { code?: unknown }).code ?? "");
  if (!code.startsWith("SQLITE_")) return error;
  if (isCorruptError(error)) {
    return new StateError("STATE_CORRUPT", `state ${path} is damaged (${(error as Error).message}): ` +
      "restore it from a backup or a `cinfra state export` file", { cause: error });
  }
  return new StateError("STATE_IO", `state ${path}: ${(error as Error).message} (${code})`, { cause: error });
}

/** Failures while opening: a missing parent that cannot be made, a directory in the way, a foreign file. */
export function openFailure(error: unknown, path: string): StateError {
  const mapped = sqliteFailure(error, path);
  if (mapped instanceof StateError) return mapped;
  return new StateError("STATE_IO", `state ${path}: ${(error as Error).message}`, { cause: error });
}
