/**
 * Pull one image: manifest (through an index to the wanted platform), then config and the layer
 * blobs the store lacks, a few at a time, each verified by the blob store as it is written. An image
 * whose config the store already has costs exactly one manifest request.
 */
import { readFileSync } from "node:fs";
import { RuntimeError } from "../../../../core/errors.js";
import { storeBlobSource } from "../blob-source.js";
import { chainIds } from "../digest.js";
import { parseImageConfig } from "../image-config.js";
import { checkDescriptor, loadImage } from "../image-load.js";
import type { ImageStore } from "../store.js";
import { MEDIA_TYPES, type ImageRecord, type OciManifest } from "../types.js";
import type { Credentials } from "./auth.js";
import { registryBlobSource, type BlobProgress } from "./blob-download.js";
import { RegistryClient, type FetchedManifest } from "./client.js";
import { defaultPlatform, selectPlatform, type Platform } from "./platform.js";
import { formatReference, parseReference } from "./reference.js";

export interface PullOptions {
  platform?: Platform;
  credentials?: Credentials;
  /** Layer downloads at once (default 3). */
  concurrency?: number;
  onProgress?: (event: PullProgress) => void;
  attempts?: number;
  backoffMs?: number;
}

export type PullProgress =
  | { kind: "resolved"; manifestDigest: string; layers: number; missing: number }
  | ({ kind: "layer" } & BlobProgress)
  | { kind: "layer-done"; digest: string };

export interface PullResult {
  image: ImageRecord;
  /** Digest of the manifest for the chosen platform (what `ref@digest` pins). */
  manifestDigest: string;
  /** False when the store had the image already. */
  downloaded: boolean;
}

const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList]);

export async function pullImage(store: ImageStore, refText: string, options: PullOptions = {}): Promise<PullResult> {
  const ref = parseReference(refText);
  const client = new RegistryClient(ref, options);
  const where = formatReference(ref);
  let fetched = await client.manifest(ref.digest ?? ref.tag ?? "latest");
  let document = parseDocument(fetched, where);
  if (INDEX_TYPES.has(fetched.mediaType) || INDEX_TYPES.has(document.mediaType ?? "")) {
    const chosen = selectPlatform(document, options.platform ?? defaultPlatform(), where);
    fetched = await client.manifest(chosen.digest);
    document = parseDocument(fetched, where);
  }
  const manifest = document as unknown as OciManifest;
  const config = checkDescriptor(manifest.config, `${where} config`);
  if (!Array.isArray(manifest.layers)) throw new RuntimeError("IMAGE_MANIFEST_INVALID", `${where}: manifest has no layers`);
  // The tag, and the manifest digest it gave (Docker's RepoDigests): a later lookup by tag knows the digest.
  const byDigest = `${ref.registry}/${ref.repository}@${fetched.digest}`;
  const names = ref.tag ? [`${ref.registry}/${ref.repository}:${ref.tag}`, byDigest] : [byDigest];

  const pin = store.pin();
  try {
    pin.add({ blobs: [config.digest] });
    const present = store.getImage(config.digest);
    if (present && present.layers.every((chain) => store.layers.has(chain))) {
      options.onProgress?.({ kind: "resolved", manifestDigest: fetched.digest, layers: present.layers.length, missing: 0 });
      const image = await store.commitImage(readFileSync(store.blobs.path(config.digest)), names, pin);
      return { image, manifestDigest: fetched.digest, downloaded: false };
    }
    const source = registryBlobSource(client, (p) => options.onProgress?.({ kind: "layer", ...p }));
    const configBlob = await store.blobs.write(await source.open(config), { expected: config.digest, size: config.size, pin });
    const { diffIds } = parseImageConfig(readFileSync(configBlob.path), config.digest);
    const chains = chainIds(diffIds);
    pin.add({ layers: chains });
    const layers = manifest.layers.map((layer, i) => checkDescriptor(layer, `${where} layers[${i}]`));
    const missing = layers.filter((_, i) => !store.layers.has(chains[i] ?? ""));
    options.onProgress?.({ kind: "resolved", manifestDigest: fetched.digest, layers: layers.length, missing: missing.length });
    pin.add({ blobs: missing.map((layer) => layer.digest) });
    await inParallel(missing, options.concurrency ?? 3, async (layer) => {
      await store.blobs.write(await source.open(layer), { expected: layer.digest, size: layer.size, pin });
      options.onProgress?.({ kind: "layer-done", digest: layer.digest });
    });
    // Every blob is local now: unpack in order from the store.
    const image = await loadImage(store, storeBlobSource(store.blobs), manifest, names);
    return { image, manifestDigest: fetched.digest, downloaded: true };
  } catch (error) {
    pin.release();
    store.prune(); // blobs this failed pull brought that no image uses
    throw error;
  } finally {
    pin.release();
  }
}

function parseDocument(fetched: FetchedManifest, where: string): { mediaType?: string; [key: string]: unknown } {
  try {
    return JSON.parse(fetched.bytes.toString("utf8"));
  } catch (cause) {
    throw new RuntimeError("IMAGE_MANIFEST_INVALID", `${where}: manifest ${fetched.digest} is not JSON`, { cause });
  }
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}
