/**
 * Where everything lives under `<libRoot>/images`, and the small file primitives the store is built
 * on: every object reaches its final name by rename from `tmp/`, so a crash leaves at worst a temp
 * entry (named after the pid that made it, so prune can tell a dead writer's leftovers from work
 * in progress).
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { hex } from "./digest.js";

export class StorePaths {
  constructor(readonly root: string) {}

  blobsDir(): string {
    return join(this.root, "blobs", "sha256");
  }
  blob(digest: string): string {
    return join(this.blobsDir(), hex(digest));
  }
  layersDir(): string {
    return join(this.root, "layers");
  }
  layer(chainId: string): string {
    return join(this.layersDir(), hex(chainId));
  }
  layerDiff(chainId: string): string {
    return join(this.layer(chainId), "diff");
  }
  layerMeta(chainId: string): string {
    return join(this.layer(chainId), "meta.json");
  }
  imagesDir(): string {
    return join(this.root, "images");
  }
  image(id: string): string {
    return join(this.imagesDir(), `${hex(id)}.json`);
  }
  holdersDir(): string {
    return join(this.root, "holders");
  }
  holders(id: string): string {
    return join(this.holdersDir(), hex(id));
  }
  pinsDir(): string {
    return join(this.root, "pins");
  }
  tmpDir(): string {
    return join(this.root, "tmp");
  }

  /** A fresh name in tmp/: `<pid>-<kind>-<random>`. */
  temp(kind: string): string {
    mkdirSync(this.tmpDir(), { recursive: true });
    return join(this.tmpDir(), `${process.pid}-${kind}-${randomBytes(6).toString("hex")}`);
  }
}

/** The pid a tmp/ or pins/ entry was made by. */
export function ownerPid(name: string): number {
  return Number.parseInt(name, 10);
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Make a rename durable: fsync the directory that holds the new name. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Write JSON durably under its final name: temp file beside it, fsync, rename, fsync the dir. */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o644);
  try {
    writeFileSync(fd, JSON.stringify(value, null, 2));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

export function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}
