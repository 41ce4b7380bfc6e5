/**
 * blobs/sha256/<hex>: content-addressed bytes (layer tarballs as distributed, image configs).
 * A blob is streamed to tmp/, fsynced, its digest (and announced size) checked, and only then
 * renamed to its final name: a truncated download or a corrupt archive member leaves the store as
 * it was.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import { RuntimeError } from "../../../core/errors.js";
import { checkDigest } from "./digest.js";
import type { Pin } from "./pins.js";
import { fsyncDir, type StorePaths } from "./store-paths.js";

/** A byte stream: a Node Readable, or node-tar's Minipass streams. */
export type ByteSource = AsyncIterable<Buffer> & { destroy(error?: Error): unknown };

export interface BlobWriteOptions {
  /** The digest the bytes must have; when that blob is already stored the source is not read. */
  expected?: string;
  /** The size a descriptor announced: more or fewer bytes is an error. */
  size?: number;
  /** Pinned before the blob gets its final name, so a concurrent prune cannot take it. */
  pin?: Pin;
}

export interface StoredBlob {
  digest: string;
  size: number;
  path: string;
  /** False when the store had these bytes already. */
  created: boolean;
}

export class BlobStore {
  constructor(private readonly paths: StorePaths, private readonly maxBytes: number) {}

  has(digest: string): boolean {
    return existsSync(this.paths.blob(digest));
  }

  path(digest: string): string {
    return this.paths.blob(digest);
  }

  open(digest: string): Readable {
    return createReadStream(this.paths.blob(digest));
  }

  list(): string[] {
    if (!existsSync(this.paths.blobsDir())) return [];
    return readdirSync(this.paths.blobsDir()).filter((name) => /^[0-9a-f]{64}$/.test(name)).map((name) => `sha256:${name}`);
  }

  remove(digest: string): void {
    rmSync(this.paths.blob(digest), { force: true });
  }

  async write(source: ByteSource, options: BlobWriteOptions = {}): Promise<StoredBlob> {
    const expected = options.expected === undefined ? undefined : checkDigest(options.expected, "blob digest");
    if (expected && this.has(expected)) {
      source.destroy();
      return { digest: expected, size: statSync(this.path(expected)).size, path: this.path(expected), created: false };
    }
    const limit = options.size ?? this.maxBytes;
    const tmp = this.paths.temp("blob");
    const file = await open(tmp, "wx", 0o644);
    const hash = createHash("sha256");
    let size = 0;
    try {
      try {
        for await (const chunk of source) {
          size += chunk.length;
          if (size > limit) {
            throw options.size === undefined
              ? new RuntimeError("BLOB_TOO_LARGE", `blob exceeds ${limit} bytes`)
              : new RuntimeError("BLOB_SIZE_MISMATCH", `blob ${expected ?? ""} is larger than the announced ${limit} bytes`);
          }
          hash.update(chunk);
          await file.write(chunk);
        }
        const digest = `sha256:${hash.digest("hex")}`;
        if (expected && digest !== expected) {
          throw new RuntimeError("BLOB_DIGEST_MISMATCH", `blob should be ${expected} but its bytes are ${digest} (${size} bytes)`);
        }
        if (options.size !== undefined && size !== options.size) {
          throw new RuntimeError("BLOB_SIZE_MISMATCH", `blob ${digest} has ${size} bytes, ${options.size} announced`);
        }
        options.pin?.add({ blobs: [digest] });
        // Same bytes stored already (an import of an unchanged rootfs): keep those, skip the flush.
        if (this.has(digest)) return { digest, size, path: this.path(digest), created: false };
        await file.sync();
        mkdirSync(this.paths.blobsDir(), { recursive: true });
        await rename(tmp, this.path(digest));
        fsyncDir(this.paths.blobsDir());
        return { digest, size, path: this.path(digest), created: true };
      } finally {
        await file.close();
      }
    } catch (error) {
      source.destroy();
      throw error;
    } finally {
      await rm(tmp, { force: true });
    }
  }
}
