/** pg failures as StateError naming the server (password hidden): damaged data -> STATE_CORRUPT, else STATE_IO. */
import { StateError } from "../../core/errors.js";

export function redactUrl(url: string): string {
  return url.replace(/:[^:@/]*@/, ":***@");
}

interface PgLikeError { code?: unknown; severity?: unknown; syscall?: unknown; message: string }

/** The error to throw for `error` from an operation against `url`; our own StateErrors and bugs pass through. */
export function pgFailure(error: unknown, url: string): unknown {
  if (error instanceof StateError || !(error instanceof Error)) return error;
  const e = error as Error & PgLikeError;
  const where = `state ${redactUrl(url)}`;
  // SQLSTATE class XX: data_corrupted (XX001), index_corrupted (XX002).
  if (e.code === "XX001" || e.code === "XX002") {
    return new StateError("STATE_CORRUPT", `${where} is damaged (${e.message}): restore the database from a backup`, { cause: error });
  }
  const fromServer = typeof e.severity === "string";
  const fromSocket = typeof e.syscall === "string" || /Connection terminated|connection timeout|ECONNRESET/i.test(e.message);
  if (!fromServer && !fromSocket) return error;
  const detail = typeof e.code === "string" ? ` (${e.code})` : "";
  return new StateError("STATE_IO", `${where}: ${e.message}${detail}`, { cause: error });
}
