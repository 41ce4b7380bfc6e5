/**
 * The step cache, keyed like Docker's: a step's key is the hash of the key before it (from the base
 * image id down through every instruction of the stage) and of what the step depends on: its
 * instruction with variables expanded, the content hash of what COPY/ADD copies, and for RUN the
 * build args in scope. A key records the diffID the step produced; the layer is reused when it is
 * still in the store on top of the same parent (a prune may have removed it: then the step reruns).
 *   <store>/build-cache/<key hex>.json   { diffId, step }
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { sha256 } from "../images/digest.js";
import type { ImageStore } from "../images/index.js";
import { readJson, writeJsonAtomic } from "../images/store-paths.js";

export const CACHE_VERSION = "cinfra-build-cache-v1";

export function nextKey(previous: string, ...parts: string[]): string {
  return sha256([previous, ...parts].join("\n"));
}

export class BuildCache {
  constructor(private readonly images: ImageStore) {}

  private file(key: string): string {
    return join(this.images.root, "build-cache", `${key.slice("sha256:".length)}.json`);
  }

  get(key: string): string | null {
    return readJson<{ diffId: string }>(this.file(key))?.diffId ?? null;
  }

  put(key: string, diffId: string, step: string): void {
    writeJsonAtomic(this.file(key), { diffId, step });
  }

  /** Drop entries whose layer no longer exists anywhere in the store (after a prune); returns how many. */
  prune(): number {
    const dir = join(this.images.root, "build-cache");
    if (!existsSync(dir)) return 0;
    const diffIds = new Set(this.images.layers.list().map((chain) => this.images.layers.get(chain)?.diffId));
    let removed = 0;
    for (const name of readdirSync(dir)) {
      const entry = readJson<{ diffId?: string }>(join(dir, name));
      if (entry?.diffId && diffIds.has(entry.diffId)) continue;
      rmSync(join(dir, name), { force: true });
      removed += 1;
    }
    return removed;
  }
}
