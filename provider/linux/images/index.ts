/** The image store: content-addressed blobs, shared unpacked layers, image records, loaders. */
import { ImageStore, type ImageStoreOptions } from "./store.js";

export { ImageStore, type ApplyLayerOptions, type ImageStoreOptions } from "./store.js";
export { chainIds, chainId, checkDigest, sha256 } from "./digest.js";
export type { ImageConfig, ImageRecord, LayerRecord, Descriptor, OciManifest, StoreLimits } from "./types.js";
export { MEDIA_TYPES, DEFAULT_LIMITS } from "./types.js";
export type { PruneResult } from "./gc.js";
export { directoryBlobSource, storeBlobSource, type BlobSource } from "./blob-source.js";
export { loadImage, type LoadOptions } from "./image-load.js";
export { loadIndex, loadOciLayout } from "./oci-layout.js";
export { loadDockerArchive } from "./docker-archive.js";
export { libcLayerSyscalls, type LayerSyscalls } from "./layer-syscalls.js";

export function openImageStore(libRoot: string, options?: ImageStoreOptions): ImageStore {
  return new ImageStore(libRoot, options);
}
export { saveOciArchive } from "./oci-archive.js";
export { commitUpperDir } from "./commit.js";
