/**
 * layers/<chainID>/{diff,meta.json}: each layer unpacked once, shared by every image that uses it.
 * A layer is unpacked into tmp/, flushed (syncfs), and renamed to its chain ID only when complete,
 * so a crash never leaves half a layer under its final name; if another import got there first,
 * the copy is dropped.
 */
import { chmodSync, createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import { blobCompression, type Compression } from "./decompress.js";
import { chainId as chainOf, checkDigest } from "./digest.js";
import type { LayerSyscalls } from "./layer-syscalls.js";
import { unpackLayer } from "./layer-unpack.js";
import type { Pin } from "./pins.js";
import { fsyncDir, readJson, writeJsonAtomic, type StorePaths } from "./store-paths.js";
import { MEDIA_TYPES, type LayerRecord, type StoreLimits } from "./types.js";

const OCI_LAYER_TYPES: Record<Compression, string> = {
  none: MEDIA_TYPES.ociLayer, gzip: MEDIA_TYPES.ociLayerGzip, zstd: MEDIA_TYPES.ociLayerZstd,
};

export interface ApplyOptions {
  /** Chain ID of the layer below; absent for a bottom layer. */
  parent?: string | null;
  /** The diffID the layer must have (from the image config): checked, and lets an existing layer be reused unread. */
  diffId?: string;
  /** Pinned before the layer is looked up or gets its final name, so a concurrent prune cannot take it. */
  pin?: Pin;
}

export class LayerStore {
  constructor(
    private readonly paths: StorePaths,
    private readonly sys: LayerSyscalls,
    private readonly limits: StoreLimits,
    private readonly preserveOwners: boolean,
  ) {}

  get(chainId: string): LayerRecord | null {
    return readJson<LayerRecord>(this.paths.layerMeta(checkDigest(chainId, "chain ID")));
  }

  has(chainId: string): boolean {
    return existsSync(this.paths.layerMeta(chainId));
  }

  list(): string[] {
    if (!existsSync(this.paths.layersDir())) return [];
    return readdirSync(this.paths.layersDir()).filter((name) => /^[0-9a-f]{64}$/.test(name)).map((name) => `sha256:${name}`);
  }

  /** Diff dirs of `chainId` and every layer below it, top first (overlay's lowerdir order). */
  lowerDirs(chainId: string | null): string[] {
    const dirs: string[] = [];
    for (let layer = chainId ? this.get(chainId) : null; layer; layer = layer.parent ? this.get(layer.parent) : null) {
      dirs.push(this.paths.layerDiff(layer.chainId));
    }
    return dirs;
  }

  /** The layer that `diffId` on top of `parent` would be, if it is unpacked already. */
  existing(parent: string | null, diffId: string): LayerRecord | null {
    return this.get(chainOf(parent, diffId));
  }

  /** Unpack a stored blob as a layer on top of `options.parent`. */
  async apply(blobDigest: string, blobPath: string, mediaType: string | undefined, options: ApplyOptions = {}): Promise<LayerRecord> {
    const parent = options.parent ? checkDigest(options.parent, "parent layer") : null;
    const expected = options.diffId === undefined ? undefined : checkDigest(options.diffId, "diffID");
    if (parent && !this.has(parent)) throw new RuntimeError("LAYER_NOT_FOUND", `parent layer ${parent} is not in the store`);
    if (expected) {
      options.pin?.add({ layers: [chainOf(parent, expected)] });
      const found = this.existing(parent, expected);
      if (found) return found;
    }
    const compression = blobCompression(blobPath, mediaType);
    const staging = this.paths.temp("layer");
    const diff = join(staging, "diff");
    mkdirSync(diff, { recursive: true });
    chmodSync(diff, 0o755); // the layer root, unless the archive has a "./" entry saying otherwise
    try {
      // 1 MiB reads: a 64 KiB default means thousands of threadpool round trips per layer.
      const result = await unpackLayer(createReadStream(blobPath, { highWaterMark: 1 << 20 }), compression, {
        root: diff, lowerDirs: this.lowerDirs(parent), sys: this.sys, preserveOwners: this.preserveOwners, limits: this.limits,
        // The blob store checked the blob's digest as it was written: uncompressed, that is the diffID.
        verifiedDiffId: compression === "none" ? checkDigest(blobDigest, "layer digest") : undefined,
        sourcePath: blobPath,
      });
      if (expected && result.diffId !== expected) {
        throw new RuntimeError("LAYER_DIFFID_MISMATCH", `layer ${blobDigest} unpacks to ${result.diffId}, the image config says ${expected}`);
      }
      const chainId = chainOf(parent, result.diffId);
      options.pin?.add({ layers: [chainId] });
      const record: LayerRecord = {
        chainId, diffId: result.diffId, parent, digest: blobDigest, mediaType: mediaType || OCI_LAYER_TYPES[compression],
        size: result.size, entries: result.entries, createdAt: new Date().toISOString(),
      };
      const found = this.get(chainId);
      if (found) return found;
      writeJsonAtomic(join(staging, "meta.json"), result.warnings.length > 0 ? { ...record, warnings: result.warnings.slice(0, 50) } : record);
      this.sys.syncfs(staging);
      mkdirSync(this.paths.layersDir(), { recursive: true });
      try {
        renameSync(staging, this.paths.layer(chainId));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
        return this.get(chainId) ?? record; // a concurrent import won the race with the same content
      }
      fsyncDir(this.paths.layersDir());
      return record;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
}
