import { CinfraError, LoadError, PlanError, StateError, SyscallError, ValidationError } from "../core/errors.js";
import { formatLocation } from "../core/sdk/registry.js";

/** Exit codes, as Terraform's `-detailed-exitcode` defines them. */
export const EXIT = { ok: 0, error: 1, changes: 2 } as const;

/** The one place errors become text: file:line or property path first, then what is wrong. */
export function formatError(error: unknown): string {
  if (error instanceof ValidationError) {
    return `${error.location ? `${formatLocation(error.location)}: ` : ""}invalid property ${error.path}: ${error.reason}`;
  }
  if (error instanceof PlanError) return `${error.location ? `${formatLocation(error.location)}: ` : ""}${error.message}`;
  if (error instanceof LoadError || error instanceof StateError || error instanceof SyscallError) return error.message;
  if (error instanceof CinfraError) return `${error.message}${causeText(error)}`;
  if (error instanceof Error) return `internal error: ${error.stack ?? error.message}`;
  return String(error);
}

function causeText(error: Error): string {
  return error.cause instanceof Error ? `\n  caused by: ${error.cause.message}` : "";
}
