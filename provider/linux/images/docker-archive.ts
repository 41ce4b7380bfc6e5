/**
 * `docker save` archives: manifest.json lists each image's config file, tags and layer files.
 * Both the legacy layout (<id>/layer.tar, <id>.json, repeated layers as symlinks) and the one
 * Docker 25+ writes (an OCI layout inside, manifest.json pointing into blobs/sha256/) are read the
 * same way: by path, through the ingested archive.
 */
import { statSync } from "node:fs";
import { RuntimeError } from "../../../core/errors.js";
import { ingestArchive, type IngestedArchive } from "./archive-ingest.js";
import { storeBlobSource } from "./blob-source.js";
import { loadImage, type LoadOptions } from "./image-load.js";
import { parseJson } from "./oci-layout.js";
import type { ImageStore } from "./store.js";
import { MEDIA_TYPES, type Descriptor, type ImageRecord } from "./types.js";

interface SaveManifestEntry {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

export async function loadDockerArchive(store: ImageStore, path: string, options: LoadOptions = {}): Promise<ImageRecord[]> {
  const pin = store.pin();
  try {
    const archive = await ingestArchive(store, path, pin);
    const manifest = archive.resolve("manifest.json")?.document;
    if (!manifest) throw new RuntimeError("ARCHIVE_INVALID", `${path} is not a docker save archive (no manifest.json)`);
    const entries = parseJson(manifest, `${path}:manifest.json`);
    if (!Array.isArray(entries)) throw new RuntimeError("ARCHIVE_INVALID", `${path}:manifest.json is not a list`);
    const source = storeBlobSource(store.blobs, archive.documentsByDigest());
    const records: ImageRecord[] = [];
    for (const [i, entry] of (entries as SaveManifestEntry[]).entries()) {
      const where = `${path}:manifest.json[${i}]`;
      if (typeof entry?.Config !== "string" || !Array.isArray(entry.Layers)) throw new RuntimeError("ARCHIVE_INVALID", `${where} has no Config or Layers`);
      const config = member(store, archive, entry.Config, MEDIA_TYPES.dockerConfig, where);
      const layers = entry.Layers.map((layer) => member(store, archive, layer, "", where));
      const names = Array.isArray(entry.RepoTags) ? entry.RepoTags.filter((t): t is string => typeof t === "string") : [];
      records.push(await loadImage(store, source, { config, layers }, names, options));
    }
    return records;
  } finally {
    pin.release();
    store.prune(); // legacy per-layer json files and anything else no loaded image uses
  }
}

/** A descriptor for a file of the archive. Layer media types are left empty: compression is judged by the bytes. */
function member(store: ImageStore, archive: IngestedArchive, path: unknown, mediaType: string, where: string): Descriptor {
  const found = typeof path === "string" ? archive.resolve(path) : null;
  if (!found?.digest) throw new RuntimeError("ARCHIVE_INVALID", `${where}: ${JSON.stringify(path)} is not in the archive`);
  const size = found.document ? found.document.length : statSync(store.blobs.path(found.digest)).size;
  return { mediaType, digest: found.digest, size };
}
