/**
 * `cinfra commit`: a container's upper dir becomes one new layer on top of its image, and the
 * image's own config (bytes as stored) gains that layer's diffID and a history entry, like
 * `docker commit --pause=false`. The result is named so `Image({ ref })` finds it in the store.
 */
import { readFileSync, rmSync } from "node:fs";
import { packDirectory, type OwnerMap } from "./pack-dir.js";
import type { ImageStore } from "./store.js";
import type { ImageRecord } from "./types.js";
import { stageUpperAsLayer } from "./upper-to-layer.js";

interface ConfigDocument {
  created?: string;
  rootfs?: { type: string; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
  [key: string]: unknown;
}

export async function commitUpperDir(images: ImageStore, upper: string, parent: ImageRecord, name: string, comment: string, owners?: OwnerMap): Promise<ImageRecord> {
  const pin = images.pin();
  const staging = images.paths.temp("commit");
  try {
    stageUpperAsLayer(upper, staging);
    const layer = await images.applyLayerPinned(packDirectory(staging, owners), undefined, { parent: parent.layers.at(-1) ?? null }, pin);
    const config = JSON.parse(readFileSync(images.blobs.path(parent.id), "utf8")) as ConfigDocument;
    const created = new Date().toISOString();
    config.created = created;
    config.rootfs = { type: "layers", diff_ids: [...(config.rootfs?.diff_ids ?? parent.diffIds), layer.diffId] };
    config.history = [...(config.history ?? []), { created, created_by: "cinfra commit", comment }];
    return await images.commitImage(Buffer.from(JSON.stringify(config)), [name], pin);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    pin.release();
  }
}
