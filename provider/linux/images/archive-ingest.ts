/**
 * One pass over an image archive (`docker save` output, or an OCI layout as a tar, optionally
 * gzip/zstd-compressed): small control documents (manifest.json, index.json, <config>.json, …)
 * are kept in memory, every other file goes into the blob store as it streams by (verified
 * against its name when the name is a digest, as in an OCI layout's blobs/sha256/<hex>). The
 * loaders then read everything back by path. Blobs nobody ends up using are pruned afterwards.
 */
import { Parser, type ReadEntry } from "tar";
import { CinfraError, RuntimeError } from "../../../core/errors.js";
import { decompressedFile, readHead, sniffCompression } from "./decompress.js";
import { sha256 } from "./digest.js";
import type { Pin } from "./pins.js";
import { entryComponents } from "./safe-path.js";
import type { ImageStore } from "./store.js";

const MAX_DOCUMENT_BYTES = 16 * 2 ** 20;
/** All documents together: they are held in memory. */
const MAX_DOCUMENTS_BYTES = 64 * 2 ** 20;
const MAX_ARCHIVE_ENTRIES = 100_000;
const DOCUMENT_NAMES = new Set(["repositories", "oci-layout", "VERSION", "json"]);

export class IngestedArchive {
  readonly documents = new Map<string, Buffer>();
  readonly blobs = new Map<string, string>();
  readonly links = new Map<string, string>();

  /** What `path` holds (following the archive's own symlinks: docker save links repeated layers). */
  resolve(path: string): { document?: Buffer; digest?: string } | null {
    let current = normalize(path);
    for (let hops = 0; hops < 16 && this.links.has(current); hops++) current = this.links.get(current) as string;
    const document = this.documents.get(current);
    if (document) return { document, digest: sha256(document) };
    const digest = this.blobs.get(current);
    return digest ? { digest } : null;
  }

  /** Documents by digest, so they can be served as blobs (a legacy docker archive's config). */
  documentsByDigest(): Map<string, Buffer> {
    return new Map([...this.documents.values()].map((bytes) => [sha256(bytes), bytes]));
  }
}

const normalize = (path: string) => entryComponents(path).join("/");

export async function ingestArchive(store: ImageStore, archive: string, pin: Pin): Promise<IngestedArchive> {
  const out = new IngestedArchive();
  const input = decompressedFile(archive, sniffCompression(readHead(archive, 4)));
  const parser = new Parser({ strict: true, zstd: false });
  const writes: Promise<unknown>[] = [];
  let failure: unknown;
  let entries = 0;
  let documentBytes = 0;
  let signalFailure: () => void = () => {};
  const failed = new Promise<void>((resolve) => (signalFailure = resolve));
  const fail = (error: unknown) => {
    failure ??= error;
    signalFailure();
  };

  parser.on("entry", (entry: ReadEntry) => {
    try {
      if (failure) return void entry.resume();
      if (++entries > MAX_ARCHIVE_ENTRIES) throw new RuntimeError("ARCHIVE_INVALID", `archive has more than ${MAX_ARCHIVE_ENTRIES} entries`);
      const path = normalize(entry.path);
      if (entry.type === "SymbolicLink" || entry.type === "Link") {
        const base = entry.type === "Link" ? "" : path.split("/").slice(0, -1).join("/");
        out.links.set(path, normalize(`${base}/${entry.linkpath ?? ""}`));
        return void entry.resume();
      }
      if (entry.type !== "File" && entry.type !== "OldFile" && entry.type !== "ContiguousFile") return void entry.resume();
      const name = path.split("/").pop() ?? "";
      if ((name.endsWith(".json") || DOCUMENT_NAMES.has(name)) && entry.size <= MAX_DOCUMENT_BYTES) {
        documentBytes += entry.size;
        if (documentBytes > MAX_DOCUMENTS_BYTES) throw new RuntimeError("ARCHIVE_INVALID", `archive has more than ${MAX_DOCUMENTS_BYTES} bytes of JSON documents`);
        const chunks: Buffer[] = [];
        entry.on("data", (chunk: Buffer) => chunks.push(chunk));
        entry.on("end", () => out.documents.set(path, Buffer.concat(chunks)));
        return;
      }
      const named = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(path);
      const expected = named ? `sha256:${named[1]}` : undefined;
      if (expected) pin.add({ blobs: [expected] });
      if (expected && store.blobs.has(expected)) {
        out.blobs.set(path, expected); // stored already: skip the bytes (destroying an entry would break the parser)
        return void entry.resume();
      }
      writes.push(store.blobs.write(entry, { expected, size: entry.size, pin }).then((blob) => out.blobs.set(path, blob.digest), fail));
    } catch (error) {
      fail(error);
      entry.resume();
    }
  });
  parser.on("error", fail);
  // not events.once: that rejects on 'error', which `failed` already reports
  const ended = new Promise<void>((resolve) => parser.once("end", () => resolve()));

  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (!parser.write(chunk)) await Promise.race([new Promise((resolve) => parser.once("drain", resolve)), failed]);
      if (failure) throw failure;
    }
    parser.end();
    await Promise.race([ended, failed]);
    await Promise.all(writes);
    if (failure) throw failure;
  } catch (error) {
    input.destroy();
    await Promise.allSettled(writes);
    const cause = failure ?? error; // the first failure, not what it caused downstream
    if (cause instanceof CinfraError) throw cause;
    throw new RuntimeError("ARCHIVE_INVALID", `${archive}: ${(cause as Error).message}`, { cause });
  }
  return out;
}
