/**
 * Layer compression: the media type says what a layer should be, the first bytes say what it is;
 * both must agree. gzip comes from Node's zlib (inflating on the threadpool, beside the writes);
 * zstd from the `zstd` program when installed (another core, ~10x fzstd), else from fzstd (pure JS,
 * streaming, no install step: Node 20's zlib has no zstd).
 */
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { pipeline, Transform, type Duplex, type Readable, type TransformCallback } from "node:stream";
import { createGunzip } from "node:zlib";
import { Decompress } from "fzstd";
import { RuntimeError } from "../../../core/errors.js";
import { MEDIA_TYPES } from "./types.js";
import { ZstdFileStream } from "./zstd-file-stream.js";
import { zstdProgram, ZstdProcessStream } from "./zstd-process.js";

export type Compression = "none" | "gzip" | "zstd";

const BY_MEDIA_TYPE: Record<string, Compression> = {
  [MEDIA_TYPES.ociLayer]: "none",
  [MEDIA_TYPES.ociLayerGzip]: "gzip",
  [MEDIA_TYPES.ociLayerZstd]: "zstd",
  [MEDIA_TYPES.dockerLayer]: "none",
  [MEDIA_TYPES.dockerLayerGzip]: "gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar": "none",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip": "gzip",
  "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": "zstd",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip": "gzip",
};

/** The compression a layer media type announces; undefined (or "") means: judge by the bytes. */
export function compressionOf(mediaType: string | undefined): Compression | undefined {
  if (!mediaType) return undefined;
  const known = BY_MEDIA_TYPE[mediaType];
  if (!known) throw new RuntimeError("LAYER_MEDIA_TYPE", `unsupported layer media type ${mediaType}`);
  return known;
}

export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return "zstd";
  return "none";
}

/** The first `bytes` bytes of a file (fewer when it is shorter). */
export function readHead(path: string, bytes: number): Buffer {
  const head = Buffer.alloc(bytes);
  const fd = openSync(path, "r");
  try {
    return head.subarray(0, readSync(fd, head, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

/** Compression of a stored blob: sniffed, and checked against its media type when one is given. */
export function blobCompression(path: string, mediaType: string | undefined): Compression {
  const actual = sniffCompression(readHead(path, 4));
  const declared = compressionOf(mediaType);
  if (declared && declared !== actual) {
    throw new RuntimeError("LAYER_MEDIA_TYPE", `layer is declared ${mediaType} but its bytes are ${actual === "none" ? "an uncompressed tar" : actual}`);
  }
  return actual;
}

/** Inflated output per chunk: fewer, larger hops from the threadpool than zlib's 16 KiB default. */
const GUNZIP_CHUNK = 256 * 1024;

/** A stream that undoes `compression`; null for "none". */
export function decompressor(compression: Compression): Duplex | null {
  if (compression === "gzip") return createGunzip({ chunkSize: GUNZIP_CHUNK });
  if (compression === "zstd") return zstdDecompressor(zstdProgram());
  return null;
}

/** `source` decompressed (`source` itself for "none"); an error of either side ends the result. */
export function decompressedStream(source: Readable, compression: Compression): Readable {
  const decompress = decompressor(compression);
  return decompress ? pipeline(source, decompress, () => {}) : source;
}

/**
 * The file at `path`, decompressed. zstd is read by the zstd program itself when it is installed
 * (zstd-file-stream.ts: no compressed bytes through this process, large reads of the output).
 */
export function decompressedFile(path: string, compression: Compression): Readable {
  const program = compression === "zstd" ? zstdProgram() : null;
  return program ? new ZstdFileStream(program, path) : decompressedStream(createReadStream(path, { highWaterMark: 1 << 20 }), compression);
}

/** zstd by `program` (the zstd CLI), or by fzstd when null. */
export function zstdDecompressor(program: string | null): Duplex {
  return program ? new ZstdProcessStream(program) : new ZstdDecompressStream();
}

/** fzstd's push decoder as a Node Transform. */
class ZstdDecompressStream extends Transform {
  private readonly decoder = new Decompress((data) => {
    // fzstd may reuse its window buffer for the next chunk: hand out a copy.
    if (data.length > 0) this.push(Buffer.from(data));
  });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.decoder.push(chunk);
      done();
    } catch (error) {
      done(zstdError(error));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      done();
    } catch (error) {
      done(zstdError(error));
    }
  }
}

function zstdError(cause: unknown): RuntimeError {
  return new RuntimeError("LAYER_CORRUPT", `zstd: ${(cause as Error).message}`, { cause });
}
