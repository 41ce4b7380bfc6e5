/**
 * Load one image given its manifest and a BlobSource: the path every loader shares (OCI layout,
 * docker archive, and later a registry). Layers already unpacked are not even fetched.
 */
import { readFileSync } from "node:fs";
import { RuntimeError } from "../../../core/errors.js";
import type { BlobSource } from "./blob-source.js";
import { chainIds, checkDigest } from "./digest.js";
import { parseImageConfig } from "./image-config.js";
import type { ImageStore } from "./store.js";
import type { Descriptor, ImageRecord, OciManifest } from "./types.js";

export interface LoadOptions {
  /** Progress lines ("layer 2/5 …"), for the applier's per-resource progress. */
  onProgress?: (message: string) => void;
}

export async function loadImage(store: ImageStore, source: BlobSource, manifest: OciManifest, names: string[], options: LoadOptions = {}): Promise<ImageRecord> {
  const config = checkDescriptor(manifest.config, "manifest config");
  if (!Array.isArray(manifest.layers)) throw new RuntimeError("IMAGE_MANIFEST_INVALID", "manifest has no layers list");
  const layers = manifest.layers.map((layer, i) => checkDescriptor(layer, `manifest layers[${i}]`));
  const pin = store.pin();
  try {
    pin.add({ blobs: [config.digest] });
    const configBlob = await store.blobs.write(await source.open(config), { expected: config.digest, size: config.size, pin });
    const configJson = readFileSync(configBlob.path);
    const { diffIds } = parseImageConfig(configJson, config.digest);
    if (diffIds.length !== layers.length) {
      throw new RuntimeError("IMAGE_MANIFEST_INVALID", `manifest lists ${layers.length} layers, its config ${diffIds.length} diffIDs`);
    }
    const chains = chainIds(diffIds);
    pin.add({ layers: chains });
    for (const [i, layer] of layers.entries()) {
      const parent = i === 0 ? null : chains[i - 1];
      if (store.layers.has(chains[i])) continue;
      options.onProgress?.(`layer ${i + 1}/${layers.length} ${layer.digest.slice(7, 19)} (${layer.size} bytes)`);
      await store.applyLayerPinned(await source.open(layer), layer.mediaType, { parent, diffId: diffIds[i], digest: layer.digest, size: layer.size }, pin);
    }
    return await store.commitImage(configJson, names, pin);
  } finally {
    pin.release();
  }
}

export function checkDescriptor(value: unknown, what: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (typeof d !== "object" || d === null) throw new RuntimeError("IMAGE_MANIFEST_INVALID", `${what} is not a descriptor`);
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new RuntimeError("IMAGE_MANIFEST_INVALID", `${what}: size ${JSON.stringify(d.size)} is not a byte count`);
  }
  return { ...d, mediaType: typeof d.mediaType === "string" ? d.mediaType : "", digest: checkDigest(d.digest, `${what} digest`), size: d.size };
}
