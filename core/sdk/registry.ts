/**
 * Where SDK resources register on construction. The loader opens a collection around the
 * stack program; `new Container(...)` adds to it. One module instance is shared because the
 * loader binds the program's `import ... from "cinfra"` to this very module.
 */
import { findSourceMap } from "node:module";
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

/** The raw call sites above the SDK: cheap to take (~10 µs); turning one into a line is what costs. */
export function callerSites(): NodeJS.CallSite[] {
  const saved = Error.prepareStackTrace;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  try {
    Error.prepareStackTrace = (_error, callSites) => callSites;
    Error.captureStackTrace(holder, callerSites);
    return holder.stack ?? []; // V8 formats lazily: read it while the override is in place
  } finally {
    Error.prepareStackTrace = saved;
  }
}

/**
 * The stack program's file:line among `sites`, mapped back through the bundle's source map. Asking a
 * frame for its line walks its function's whole position table, and the program's top level is one
 * function as long as the program: done for every resource, a 10 000-resource plan spent over a second
 * here. So resources resolve it lazily (only errors need it), and only for the chosen frame.
 */
export function resolveLocation(sites: readonly NodeJS.CallSite[]): SourceLocation | undefined {
  for (const site of sites) {
    const raw = site.getFileName();
    if (!raw || (!raw.startsWith("/") && !raw.startsWith("file://"))) continue;
    if (isEngineFile(raw.startsWith("file://") ? fileURLToPath(raw) : raw)) continue;
    const position = originalPosition(raw, site.getLineNumber() ?? 0, site.getColumnNumber() ?? 0);
    if (isEngineFile(position.file)) continue;
    const wanted = current?.programFile;
    if (wanted && position.file !== wanted) continue;
    return position;
  }
  return undefined;
}

/** The stack program's file:line that called into the SDK. */
export function callerLocation(): SourceLocation | undefined {
  return resolveLocation(callerSites());
}

/**
 * A SourceLocation resolved on first read: copies of a resource share it without resolving it, and
 * only an error message (or a saved plan) pays for the line lookup.
 */
export class LazyLocation implements SourceLocation {
  private resolved: SourceLocation | undefined | null = null;
  constructor(private readonly sites: readonly NodeJS.CallSite[]) {}
  private get value(): SourceLocation {
    if (this.resolved === null) this.resolved = resolveLocation(this.sites);
    return this.resolved ?? { file: "<unknown>", line: 0, column: 0 };
  }
  get file(): string { return this.value.file; }
  get line(): number { return this.value.line; }
  get column(): number { return this.value.column; }
  toJSON(): SourceLocation { return { ...this.value }; }
}

/** A lazy location of the caller, or undefined when no frame outside the engine could hold one (checked by name: cheap). */
export function lazyCallerLocation(): SourceLocation | undefined {
  const sites = callerSites();
  const candidate = sites.some((site) => {
    const raw = site.getFileName();
    return !!raw && (raw.startsWith("/") || raw.startsWith("file://")) && !isEngineFile(raw.startsWith("file://") ? fileURLToPath(raw) : raw);
  });
  return candidate ? new LazyLocation(sites) : undefined;
}

const isEngineFile = (file: string) => file === ENGINE_FILE || file.startsWith(SDK_DIR) || file.includes("/node_modules/");

/** A generated file:line:column mapped back through its source map, when it has one. */
function originalPosition(raw: string, line: number, column: number): SourceLocation {
  const file = raw.startsWith("file://") ? fileURLToPath(raw) : raw;
  const entry = findSourceMap(raw)?.findEntry(line - 1, column - 1) as
    { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
  if (!entry?.originalSource) return { file, line, column };
  const source = entry.originalSource.startsWith("file://") ? fileURLToPath(entry.originalSource) : entry.originalSource;
  return { file: source, line: (entry.originalLine ?? 0) + 1, column: (entry.originalColumn ?? 0) + 1 };
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
