/**
 * OCI image layouts (a directory, or the same as a tar): oci-layout + index.json + blobs/sha256/.
 * The index may list manifests directly or through nested indexes (multi-platform images); only
 * manifests for linux on this machine's architecture are loaded.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import { ingestArchive } from "./archive-ingest.js";
import { directoryBlobSource, readJsonBlob, storeBlobSource, type BlobSource } from "./blob-source.js";
import { ociArchitecture } from "./image-config.js";
import { checkDescriptor, loadImage, type LoadOptions } from "./image-load.js";
import type { ImageStore } from "./store.js";
import { MEDIA_TYPES, type Descriptor, type ImageRecord, type OciManifest } from "./types.js";

const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList]);
const MANIFEST_TYPES = new Set<string>([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest, ""]);
const CONFIG_TYPES = new Set<string>([MEDIA_TYPES.ociConfig, MEDIA_TYPES.dockerConfig, ""]);
const REF_ANNOTATIONS = ["io.containerd.image.name", "org.opencontainers.image.ref.name"];

export async function loadOciLayout(store: ImageStore, path: string, options: LoadOptions = {}): Promise<ImageRecord[]> {
  if (statSync(path).isDirectory()) {
    checkLayoutMarker(readFileSync(join(path, "oci-layout")), path);
    return loadIndex(store, directoryBlobSource(path), parseJson(readFileSync(join(path, "index.json")), `${path}/index.json`), options);
  }
  const pin = store.pin();
  try {
    const archive = await ingestArchive(store, path, pin);
    const marker = archive.resolve("oci-layout")?.document;
    const index = archive.resolve("index.json")?.document;
    if (!marker || !index) throw new RuntimeError("ARCHIVE_INVALID", `${path} is not an OCI image layout (no oci-layout or index.json)`);
    checkLayoutMarker(marker, path);
    return await loadIndex(store, storeBlobSource(store.blobs, archive.documentsByDigest()), parseJson(index, `${path}:index.json`), options);
  } finally {
    pin.release();
    store.prune(); // blobs of the archive that no loaded image uses
  }
}

/** Load every image an OCI index (or a Docker manifest list) names for this platform. */
export async function loadIndex(store: ImageStore, source: BlobSource, index: unknown, options: LoadOptions = {}): Promise<ImageRecord[]> {
  const records: ImageRecord[] = [];
  for (const { descriptor, names } of await selectManifests(source, index)) {
    const manifest = (await readJsonBlob(source, descriptor)) as OciManifest;
    if (typeof manifest !== "object" || manifest === null) throw new RuntimeError("IMAGE_MANIFEST_INVALID", `${descriptor.digest} is not a manifest`);
    if (!MANIFEST_TYPES.has(manifest.mediaType ?? "")) throw new RuntimeError("IMAGE_MANIFEST_INVALID", `${descriptor.digest}: unsupported manifest type ${manifest.mediaType}`);
    const config = checkDescriptor(manifest.config, `${descriptor.digest} config`);
    if (!CONFIG_TYPES.has(config.mediaType)) throw new RuntimeError("IMAGE_MANIFEST_INVALID", `${descriptor.digest} is not a container image (config ${config.mediaType})`);
    records.push(await loadImage(store, source, manifest, names, options));
  }
  return records;
}

async function selectManifests(source: BlobSource, index: unknown): Promise<Array<{ descriptor: Descriptor; names: string[] }>> {
  const list = (index as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(list)) throw new RuntimeError("IMAGE_MANIFEST_INVALID", "index has no manifests list");
  const byDigest = new Map<string, { descriptor: Descriptor; names: string[] }>();
  for (const [i, entry] of list.entries()) {
    let descriptor = checkDescriptor(entry, `index manifests[${i}]`);
    if (!forThisPlatform(descriptor)) continue;
    const names = REF_ANNOTATIONS.map((key) => descriptor.annotations?.[key]).filter((n): n is string => typeof n === "string" && n !== "");
    if (INDEX_TYPES.has(descriptor.mediaType)) {
      const nested = (await readJsonBlob(source, descriptor)) as { manifests?: unknown } | null;
      const candidates = Array.isArray(nested?.manifests) ? nested.manifests.map((m, j) => checkDescriptor(m, `${descriptor.digest} manifests[${j}]`)) : [];
      const match = candidates.find((m) => MANIFEST_TYPES.has(m.mediaType) && forThisPlatform(m));
      if (!match) continue;
      descriptor = match;
    } else if (!MANIFEST_TYPES.has(descriptor.mediaType)) {
      continue; // an artifact, not an image
    }
    const known = byDigest.get(descriptor.digest);
    byDigest.set(descriptor.digest, { descriptor, names: [...new Set([...(known?.names ?? []), ...names])] });
  }
  if (byDigest.size === 0) {
    throw new RuntimeError("IMAGE_NO_MATCHING_PLATFORM", `no image in the index is for linux/${ociArchitecture()}`);
  }
  return [...byDigest.values()];
}

function forThisPlatform(descriptor: Descriptor): boolean {
  const platform = descriptor.platform;
  if (!platform) return true;
  return platform.os === "linux" && platform.architecture === ociArchitecture();
}

function checkLayoutMarker(bytes: Buffer, where: string): void {
  const marker = parseJson(bytes, `${where}: oci-layout`) as { imageLayoutVersion?: unknown } | null;
  if (typeof marker?.imageLayoutVersion !== "string" || !marker.imageLayoutVersion.startsWith("1.")) {
    throw new RuntimeError("ARCHIVE_INVALID", `${where}: unsupported OCI layout version ${JSON.stringify(marker?.imageLayoutVersion)}`);
  }
}

export function parseJson(bytes: Buffer, where: string): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (cause) {
    throw new RuntimeError("ARCHIVE_INVALID", `${where} is not JSON`, { cause });
  }
}
