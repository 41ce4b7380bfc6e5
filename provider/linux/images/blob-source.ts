/**
 * Where a loader reads blobs from. Loaders only ever ask a BlobSource for a descriptor's bytes and
 * let the store verify them, so a registry client is one more implementation of `open`.
 */
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { RuntimeError } from "../../../core/errors.js";
import type { BlobStore } from "./blob-store.js";
import { checkDigest, hex, sha256 } from "./digest.js";
import type { Descriptor } from "./types.js";

export interface BlobSource {
  /** The blob's bytes, unverified: the store checks digest and size as it writes them. */
  open(descriptor: Descriptor): Promise<Readable>;
}

/** An OCI image layout directory: blobs/sha256/<hex>. */
export function directoryBlobSource(root: string): BlobSource {
  return {
    async open(descriptor) {
      const path = join(root, "blobs", "sha256", hex(checkDigest(descriptor.digest, "descriptor digest")));
      const stream = createReadStream(path);
      await new Promise<void>((resolve, reject) => stream.once("open", () => resolve()).once("error", (error: NodeJS.ErrnoException) => {
        reject(error.code === "ENOENT" ? new RuntimeError("BLOB_NOT_FOUND", `blob ${descriptor.digest} is missing from ${root}`) : error);
      }));
      return stream;
    },
  };
}

/** Blobs already in the store (an archive ingested into it), plus small documents held in memory. */
export function storeBlobSource(blobs: BlobStore, documents: Map<string, Buffer> = new Map()): BlobSource {
  return {
    async open(descriptor) {
      const digest = checkDigest(descriptor.digest, "descriptor digest");
      const document = documents.get(digest);
      if (document) return Readable.from([document]);
      if (!blobs.has(digest)) throw new RuntimeError("BLOB_NOT_FOUND", `blob ${digest} is missing from the archive`);
      return blobs.open(digest);
    },
  };
}

/** Read a small JSON blob (manifest, index) whole, checking its digest; `max` bounds the bytes. */
export async function readJsonBlob(source: BlobSource, descriptor: Descriptor, max = 4 * 2 ** 20): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of (await source.open(descriptor)) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new RuntimeError("IMAGE_MANIFEST_INVALID", `${descriptor.digest}: document larger than ${max} bytes`);
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  if (sha256(bytes) !== descriptor.digest) {
    throw new RuntimeError("BLOB_DIGEST_MISMATCH", `document should be ${descriptor.digest} but its bytes are ${sha256(bytes)}`);
  }
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (cause) {
    throw new RuntimeError("IMAGE_MANIFEST_INVALID", `${descriptor.digest} is not JSON`, { cause });
  }
}
