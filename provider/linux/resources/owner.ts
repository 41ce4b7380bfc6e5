/**
 * Ownership records: every object cinfra creates on the host gets `owner.json` beside it
 * (or an interface alias), naming stack, kind and name, so leftovers are attributable without state.
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { Kind } from "../../../core/model/types.js";

export interface Owner {
  stack: string;
  kind: Kind;
  name: string;
  id: string;
  createdAt: string;
}

export function ownerAlias(owner: Pick<Owner, "stack" | "kind" | "name">): string {
  return `cinfra:${owner.stack}/${owner.kind}/${owner.name}`;
}

export function writeOwner(dir: string, owner: Owner): void {
  mkdirSync(dir, { recursive: true });
  writeJsonAtomic(join(dir, "owner.json"), owner);
}

export function readOwner(dir: string): Owner | null {
  try {
    return JSON.parse(readFileSync(join(dir, "owner.json"), "utf8")) as Owner;
  } catch {
    return null;
  }
}

/** Write-then-rename, so a crash never leaves a half-written record. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}
