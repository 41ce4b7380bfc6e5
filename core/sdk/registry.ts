/**
 * Where SDK resources register on construction. The loader opens a collection around the
 * stack program; `new Container(...)` adds to it. One module instance is shared because the
 * loader binds the program's `import ... from "cinfra"` to this very module.
 */
import { fileURLToPath } from "node:url";
import { dirname } from "node:path";
import { PlanError, ValidationError } from "../errors.js";
import type { DesiredResource, SourceLocation } from "../model/types.js";

export interface Collection {
  resources: DesiredResource[];
  /** Directory relative paths in the program resolve against (the stack file's). */
  baseDir: string;
  /** Only frames from this file count as "the program's line" (null: first non-SDK frame). */
  programFile: string | null;
}

let current: Collection | null = null;
const SDK_DIR = dirname(fileURLToPath(import.meta.url));
const ENGINE_FILE = fileURLToPath(import.meta.url);

export function collect<T>(collection: Collection, run: () => T): T {
  const previous = current;
  current = collection;
  try {
    return run();
  } finally {
    current = previous;
  }
}

export async function collectAsync<T>(collection: Collection, run: () => Promise<T>): Promise<T> {
  const previous = current;
  current = collection;
  try {
    return await run();
  } finally {
    current = previous;
  }
}

export function activeCollection(): Collection {
  if (!current) {
    throw new PlanError("NO_STACK", "resources can only be declared while cinfra loads a stack program");
  }
  return current;
}

export function register(resource: DesiredResource): void {
  const collection = activeCollection();
  const clash = collection.resources.find((r) => r.urn === resource.urn);
  if (clash) {
    const where = clash.location ? ` (first declared at ${formatLocation(clash.location)})` : "";
    throw new PlanError("DUPLICATE_NAME", `${resource.kind} "${resource.name}" is declared twice${where}`, resource.location);
  }
  collection.resources.push(resource);
}

/** The stack program's file:line that called into the SDK, from the (source-mapped) stack trace. */
export function callerLocation(): SourceLocation | undefined {
  // A short trace is enough (the program's frame is a few calls up) and far cheaper to source-map.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 12;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  for (const line of stack.split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    const file = m[1].startsWith("file://") ? fileURLToPath(m[1]) : m[1];
    if (file === ENGINE_FILE || file.startsWith(SDK_DIR) || file.includes("/node_modules/")) continue;
    const wanted = current?.programFile;
    if (wanted && file !== wanted) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.column}`;
}

/** Attach the program location to a validation error raised while constructing a resource. */
export function withLocation(error: unknown, location: SourceLocation | undefined): unknown {
  if (error instanceof ValidationError && !error.location && location) {
    return new ValidationError(error.path, error.reason, location);
  }
  return error;
}
