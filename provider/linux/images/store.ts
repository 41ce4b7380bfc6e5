/**
 * Content-addressed image store under `<libRoot>/images`:
 *   blobs/sha256/<hex>          layer tarballs as distributed and image configs, verified by digest
 *   layers/<chainID hex>/diff   unpacked once (overlayfs-ready), shared by every image using it
 *   layers/<chainID hex>/meta.json
 *   images/<id hex>.json        image record: config, chain IDs, diffIDs, names
 *   holders/<id hex>/<holder>   who uses an image (Image resources, containers)
 *   pins/, tmp/                 imports in progress (see pins.ts, gc.ts)
 * Everything reaches its final name by rename, so a crash never leaves half an object in use.
 */
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { RuntimeError, StateError } from "../../../core/errors.js";
import { BlobStore, type ByteSource } from "./blob-store.js";
import { blobCompression } from "./decompress.js";
import { chainIds, checkDigest, sha256 } from "./digest.js";
import { loadDockerArchive } from "./docker-archive.js";
import { typedError, withTypedErrors } from "./fs-errors.js";
import { collectGarbage, type PruneResult } from "./gc.js";
import { importConfigJson, parseImageConfig } from "./image-config.js";
import { libcLayerSyscalls, type LayerSyscalls } from "./layer-syscalls.js";
import type { LoadOptions } from "./image-load.js";
import { LayerStore } from "./layer-store.js";
import { loadOciLayout } from "./oci-layout.js";
import { packDirectory } from "./pack-dir.js";
import { Pin } from "./pins.js";
import { readJson, StorePaths, writeJsonAtomic } from "./store-paths.js";
import { DEFAULT_LIMITS, type ImageConfig, type ImageRecord, type LayerRecord, type StoreLimits } from "./types.js";

export interface ImageStoreOptions {
  sys?: LayerSyscalls;
  limits?: Partial<StoreLimits>;
  /** chown unpacked files to their archive owners; default: when running as root. */
  preserveOwners?: boolean;
}

export interface ApplyLayerOptions {
  parent?: string | null;
  diffId?: string;
  /** Digest and size the blob must have (from a manifest descriptor). */
  digest?: string;
  size?: number;
}

export class ImageStore {
  readonly root: string;
  readonly paths: StorePaths;
  readonly blobs: BlobStore;
  readonly layers: LayerStore;

  constructor(libRoot: string, options: ImageStoreOptions = {}) {
    this.root = join(libRoot, "images");
    this.paths = new StorePaths(this.root);
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.blobs = new BlobStore(this.paths, limits.maxBlobBytes);
    const preserveOwners = options.preserveOwners ?? process.getuid?.() === 0;
    this.layers = new LayerStore(this.paths, options.sys ?? libcLayerSyscalls(), limits, preserveOwners);
  }

  /** Pin what an import is about to use, so a concurrent prune keeps it; release() when the record is written. */
  pin(): Pin {
    return new Pin(this.paths);
  }

  layerDir(chainId: string): string {
    return this.paths.layerDiff(checkDigest(chainId, "chain ID"));
  }

  /** Import a rootfs directory or tarball (.tar, .tar.gz, .tar.zst) as a one-layer image, like `docker import`. */
  importRootfs(source: string, config: Partial<ImageConfig> = {}): Promise<ImageRecord> {
    return withTypedErrors(async () => {
      if (!existsSync(source)) throw new RuntimeError("IMAGE_SOURCE", `${source} does not exist`);
      const pin = this.pin();
      try {
        const tar = statSync(source).isDirectory() ? packDirectory(source) : createReadStream(source);
        const layer = await this.applyLayerPinned(tar, undefined, {}, pin);
        const configJson = Buffer.from(importConfigJson(config, [layer.diffId]));
        return await this.commitImage(configJson, [source], pin);
      } finally {
        pin.release();
      }
    });
  }

  /** Store a layer blob (gzip, zstd or plain tar; `mediaType` checked when given) and unpack it on top of `parent`. */
  applyLayer(tar: ByteSource, mediaType?: string, options: ApplyLayerOptions = {}): Promise<LayerRecord> {
    return withTypedErrors(async () => {
      const pin = this.pin();
      try {
        return await this.applyLayerPinned(tar, mediaType, options, pin);
      } finally {
        pin.release();
      }
    });
  }

  async applyLayerPinned(tar: ByteSource, mediaType: string | undefined, options: ApplyLayerOptions, pin: Pin): Promise<LayerRecord> {
    pin.add({ layers: options.parent ? [options.parent] : [], blobs: options.digest ? [options.digest] : [] });
    const blob = await this.blobs.write(tar, { expected: options.digest, size: options.size, pin });
    try {
      // An uncompressed blob's digest is its diffID: an existing layer is then found without unpacking.
      const diffId = options.diffId ?? (blobCompression(blob.path, mediaType) === "none" ? blob.digest : undefined);
      return await this.layers.apply(blob.digest, blob.path, mediaType, { parent: options.parent, diffId, pin });
    } catch (error) {
      // Bytes that do not unpack are of no use to anyone: leave the store as it was.
      if (blob.created) this.blobs.remove(blob.digest);
      throw error;
    }
  }

  /** Load the images of an OCI image layout (directory or tar) for this platform. */
  loadOciLayout(path: string, options?: LoadOptions): Promise<ImageRecord[]> {
    return withTypedErrors(() => loadOciLayout(this, path, options));
  }

  /** Load the images of a `docker save` archive (plain or compressed). */
  loadDockerArchive(path: string, options?: LoadOptions): Promise<ImageRecord[]> {
    return withTypedErrors(() => loadDockerArchive(this, path, options));
  }

  /**
   * Write the image record for a config blob whose layers are all unpacked. The config's bytes
   * are the image: their digest is the id. Names add to those of an existing record.
   */
  async commitImage(configJson: Buffer, names: string[], pin: Pin): Promise<ImageRecord> {
    const id = sha256(configJson);
    pin.add({ blobs: [id] });
    await this.blobs.write(Readable.from([configJson]), { expected: id, pin });
    const parsed = parseImageConfig(configJson, id);
    const layers = chainIds(parsed.diffIds);
    const missing = layers.find((chain) => !this.layers.has(chain));
    if (missing) throw new RuntimeError("LAYER_NOT_FOUND", `image ${id}: layer ${missing} is not unpacked`);
    const prior = this.getImage(id);
    const record: ImageRecord = {
      id, config: parsed.config, layers, diffIds: parsed.diffIds,
      names: [...new Set([...(prior?.names ?? []), ...names])],
      createdAt: prior?.createdAt ?? new Date().toISOString(),
      ...(parsed.os ? { os: parsed.os } : {}), ...(parsed.architecture ? { architecture: parsed.architecture } : {}),
    };
    writeJsonAtomic(this.paths.image(id), record);
    return record;
  }

  /** Point `name` at image `id` only (a tag moves, as `docker build -t` moves it). */
  setName(id: string, name: string): ImageRecord {
    const target = this.getImage(id);
    if (!target) throw new StateError("IMAGE_NOT_FOUND", `image ${id} is not in the store`);
    for (const image of this.listImages()) {
      if (image.id !== target.id && image.names.includes(name)) writeJsonAtomic(this.paths.image(image.id), { ...image, names: image.names.filter((n) => n !== name) });
    }
    const record = { ...target, names: [...new Set([...target.names, name])] };
    writeJsonAtomic(this.paths.image(target.id), record);
    return record;
  }

  getImage(id: string): ImageRecord | null {
    return readJson<ImageRecord>(this.paths.image(checkDigest(id, "image id")));
  }

  listImages(): ImageRecord[] {
    if (!existsSync(this.paths.imagesDir())) return [];
    return readdirSync(this.paths.imagesDir())
      .filter((name) => /^[0-9a-f]{64}\.json$/.test(name))
      .map((name) => this.getImage(name.slice(0, -5)))
      .filter((record): record is ImageRecord => record !== null);
  }

  /** Overlay lower dirs, top layer first (the order of overlayfs' `lowerdir=`). */
  lowerDirs(image: ImageRecord): string[] {
    return [...image.layers].reverse().map((chainId) => this.layerDir(chainId));
  }

  markInUse(id: string, holder: string): void {
    const dir = this.paths.holders(checkDigest(id, "image id"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, encodeURIComponent(holder)), "");
  }

  release(id: string, holder: string): void {
    rmSync(join(this.paths.holders(checkDigest(id, "image id")), encodeURIComponent(holder)), { force: true });
  }

  /** Drop every reference a holder (a container id) has, whatever the image. */
  releaseHolder(holder: string): void {
    if (!existsSync(this.paths.holdersDir())) return;
    for (const image of readdirSync(this.paths.holdersDir())) this.release(image, holder);
  }

  holders(id: string): string[] {
    try {
      return readdirSync(this.paths.holders(checkDigest(id, "image id"))).map(decodeURIComponent);
    } catch {
      return [];
    }
  }

  /** Remove an image nothing holds, then every layer and blob no other image uses. */
  removeImage(id: string): PruneResult {
    const digest = checkDigest(id, "image id");
    const holders = this.holders(digest);
    if (holders.length > 0) throw new StateError("IMAGE_IN_USE", `image ${digest} is in use by ${holders.join(", ")}`);
    if (!this.getImage(digest)) throw new StateError("IMAGE_NOT_FOUND", `image ${digest} is not in the store`);
    rmSync(this.paths.image(digest), { force: true });
    rmSync(this.paths.holders(digest), { recursive: true, force: true });
    return this.prune();
  }

  /** Like removeImage, but a held or missing image is left alone (false). */
  removeImageIfUnused(id: string): boolean {
    if (this.holders(id).length > 0 || !this.getImage(id)) return false;
    this.removeImage(id);
    return true;
  }

  /** Delete layers and blobs no image (and no import in progress) uses, and crashed imports' leftovers. */
  prune(): PruneResult {
    try {
      return collectGarbage(this.paths, this.layers, this.blobs, () => this.listImages());
    } catch (error) {
      throw typedError(error);
    }
  }
}
