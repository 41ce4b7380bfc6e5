/**
 * Garbage collection without a lock. A layer is kept while an image record lists it or an import
 * pins it; a blob while an image (its config), a kept layer (its source blob) or a pin claims it.
 * Containers hold images (holders/), and a held image cannot be removed, so its layers stay.
 *
 * Unclaimed objects are first renamed into tmp/ (atomic), then the claims are read again: anything
 * an import pinned in between goes back, the rest is deleted. Pins are read before image records:
 * an import writes its record before dropping its pin, so one of the two is always seen.
 */
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BlobStore } from "./blob-store.js";
import type { LayerStore } from "./layer-store.js";
import { readPins } from "./pins.js";
import { ownerPid, pidAlive, type StorePaths } from "./store-paths.js";
import type { ImageRecord } from "./types.js";

export interface PruneResult {
  /** Chain IDs of the layers deleted. */
  layers: string[];
  /** Digests of the blobs deleted. */
  blobs: string[];
  /** Leftovers of crashed imports removed from tmp/. */
  temps: number;
}

interface Claims {
  layers: Set<string>;
  blobs: Set<string>;
}

export function collectGarbage(paths: StorePaths, layers: LayerStore, blobs: BlobStore, images: () => ImageRecord[]): PruneResult {
  const layerClaims = (): Claims => {
    const pins = readPins(paths);
    const records = images();
    for (const image of records) for (const layer of image.layers) pins.layers.add(layer);
    for (const image of records) pins.blobs.add(image.id);
    return pins;
  };
  const removedLayers = removeUnclaimed(paths, layers.list(), (chain) => paths.layer(chain), () => layerClaims().layers);
  const blobClaims = (): Set<string> => {
    const claims = layerClaims();
    for (const chain of layers.list()) {
      const digest = layers.get(chain)?.digest;
      if (digest) claims.blobs.add(digest);
    }
    return claims.blobs;
  };
  const removedBlobs = removeUnclaimed(paths, blobs.list(), (digest) => blobs.path(digest), blobClaims);
  return { layers: removedLayers, blobs: removedBlobs, temps: removeDeadTemps(paths) };
}

function removeUnclaimed(paths: StorePaths, all: string[], pathOf: (key: string) => string, claims: () => Set<string>): string[] {
  const before = claims();
  const trashed: Array<{ key: string; trash: string }> = [];
  for (const key of all) {
    if (before.has(key)) continue;
    const trash = paths.temp("trash");
    try {
      renameSync(pathOf(key), trash);
      trashed.push({ key, trash });
    } catch {
      // gone already (another prune)
    }
  }
  if (trashed.length === 0) return [];
  const after = claims();
  const removed: string[] = [];
  for (const { key, trash } of trashed) {
    if (after.has(key)) {
      try {
        renameSync(trash, pathOf(key));
        continue;
      } catch {
        // an import recreated it meanwhile: its copy stays, ours goes
      }
    } else {
      removed.push(key);
    }
    rmSync(trash, { recursive: true, force: true });
  }
  return removed;
}

/** tmp/ entries whose writer is gone (a crash mid-import). */
function removeDeadTemps(paths: StorePaths): number {
  if (!existsSync(paths.tmpDir())) return 0;
  let count = 0;
  for (const name of readdirSync(paths.tmpDir())) {
    if (pidAlive(ownerPid(name))) continue;
    rmSync(join(paths.tmpDir(), name), { recursive: true, force: true });
    count++;
  }
  return count;
}
