/**
 * `images save`: one stored image as an OCI archive (an oci-layout tar: oci-layout, index.json,
 * blobs/sha256/…) that also carries a docker-save style manifest.json, as Docker 25+ writes, so
 * skopeo (`oci-archive:`), umoci, `docker load` and cinfra's own loaders all read it. The blobs are
 * the store's, byte for byte, so every digest in the archive is the one the image was pulled with.
 */
import { linkSync, copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create } from "tar";
import { CinfraError } from "../../../core/errors.js";
import { sha256 } from "./digest.js";
import type { ImageStore } from "./store.js";
import { MEDIA_TYPES, type Descriptor, type ImageRecord } from "./types.js";

/** An OCI manifest names layers by OCI media types; Docker's are their exact equivalents. */
const OCI_LAYER_TYPE: Record<string, string> = {
  [MEDIA_TYPES.dockerLayer]: MEDIA_TYPES.ociLayer,
  [MEDIA_TYPES.dockerLayerGzip]: MEDIA_TYPES.ociLayerGzip,
};

const hexOf = (digest: string) => digest.slice("sha256:".length);

/** Hard link when the archive's staging dir shares the store's filesystem (it does: tmp/), else copy. */
function stageBlob(store: ImageStore, digest: string, blobsDir: string): number {
  const source = store.blobs.path(digest);
  if (!store.blobs.has(digest)) throw new CinfraError("IMAGE_BLOB_MISSING", `blob ${digest} is not in the store (pruned?): pull or load the image again`);
  const target = join(blobsDir, hexOf(digest));
  try {
    linkSync(source, target);
  } catch {
    copyFileSync(source, target);
  }
  return statSync(target).size;
}

export async function saveOciArchive(store: ImageStore, image: ImageRecord, output: string, name?: string): Promise<void> {
  const staging = store.paths.temp("save");
  const blobsDir = join(staging, "blobs", "sha256");
  mkdirSync(blobsDir, { recursive: true });
  try {
    const layers: Descriptor[] = image.layers.map((chainId) => {
      const layer = store.layers.get(chainId);
      if (!layer) throw new CinfraError("IMAGE_LAYER_MISSING", `layer ${chainId} of ${image.id} is not in the store`);
      const mediaType = OCI_LAYER_TYPE[layer.mediaType] ?? layer.mediaType;
      return { mediaType, digest: layer.digest, size: stageBlob(store, layer.digest, blobsDir) };
    });
    const config: Descriptor = { mediaType: MEDIA_TYPES.ociConfig, digest: image.id, size: stageBlob(store, image.id, blobsDir) };
    const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config, layers }));
    const manifestDigest = sha256(manifestBytes);
    writeFileSync(join(blobsDir, hexOf(manifestDigest)), manifestBytes);

    const refName = name ?? image.names.find((n) => /:[^/]+$/.test(n) && !n.startsWith("/"));
    const annotations = refName ? { "org.opencontainers.image.ref.name": refName.slice(refName.lastIndexOf(":") + 1), "io.containerd.image.name": refName } : undefined;
    const index = {
      schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex,
      manifests: [{ mediaType: MEDIA_TYPES.ociManifest, digest: manifestDigest, size: manifestBytes.length, annotations }],
    };
    writeFileSync(join(staging, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    writeFileSync(join(staging, "index.json"), JSON.stringify(index));
    writeFileSync(join(staging, "manifest.json"), JSON.stringify([{
      Config: `blobs/sha256/${hexOf(image.id)}`,
      RepoTags: refName ? [refName] : [],
      Layers: layers.map((l) => `blobs/sha256/${hexOf(l.digest)}`),
    }]));
    await create({ file: output, cwd: staging, portable: true, noMtime: true }, ["oci-layout", "index.json", "manifest.json", "blobs"]);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
