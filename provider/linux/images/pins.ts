/**
 * Pins: what an import in progress is about to use, so that a concurrent prune (in this process or
 * another) leaves it alone. An import pins a layer or blob *before* it checks whether it exists,
 * and drops the pin after its image record is written; prune reads pins before image records (see
 * gc.ts). A pin file is named after its owner's pid: a crashed importer's pins are ignored.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ownerPid, pidAlive, readJson, type StorePaths } from "./store-paths.js";

interface PinFile {
  layers: string[];
  blobs: string[];
}

export class Pin {
  private readonly layers = new Set<string>();
  private readonly blobs = new Set<string>();
  private readonly file: string;

  constructor(paths: StorePaths) {
    mkdirSync(paths.pinsDir(), { recursive: true });
    this.file = join(paths.pinsDir(), `${process.pid}-${randomBytes(6).toString("hex")}.json`);
  }

  add(what: { layers?: Iterable<string>; blobs?: Iterable<string> }): void {
    for (const layer of what.layers ?? []) this.layers.add(layer);
    for (const blob of what.blobs ?? []) this.blobs.add(blob);
    const body: PinFile = { layers: [...this.layers], blobs: [...this.blobs] };
    // Whole-file replace: prune must never read a half-written pin.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(body));
    renameSync(`${this.file}.tmp`, this.file);
  }

  release(): void {
    rmSync(this.file, { force: true });
  }
}

/** Everything pinned by live importers; pin files of dead ones are deleted on the way. */
export function readPins(paths: StorePaths): { layers: Set<string>; blobs: Set<string> } {
  const layers = new Set<string>();
  const blobs = new Set<string>();
  if (!existsSync(paths.pinsDir())) return { layers, blobs };
  for (const name of readdirSync(paths.pinsDir())) {
    const file = join(paths.pinsDir(), name);
    if (!pidAlive(ownerPid(name))) {
      rmSync(file, { force: true });
      continue;
    }
    if (!name.endsWith(".json")) continue;
    const pin = readJson<PinFile>(file);
    for (const layer of pin?.layers ?? []) layers.add(layer);
    for (const blob of pin?.blobs ?? []) blobs.add(blob);
  }
  return { layers, blobs };
}
