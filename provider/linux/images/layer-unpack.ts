/**
 * Unpack one layer tar (gzip, zstd or plain) into an empty directory, computing its diffID (the
 * sha256 of the uncompressed tar) on the way. node-tar's Parser reads the archive; LayerWriter
 * writes each entry synchronously as the parser hands it over, so entries land strictly in archive
 * order while the input is still read asynchronously. Any entry that is unsafe, unsupported or too
 * large fails the whole layer (the caller discards the directory).
 */
import { createHash } from "node:crypto";
import { statfsSync } from "node:fs";
import { pipeline, type Readable } from "node:stream";
import { Parser, type ReadEntry } from "tar";
import { CinfraError, RuntimeError } from "../../../core/errors.js";
import { decompressedFile, decompressedStream, sniffCompression, type Compression } from "./decompress.js";
import { typedError } from "./fs-errors.js";
import { LayerWriter, type DeviceKind, type EntryMeta, type WriterOptions } from "./layer-writer.js";
import { paxXattrs, type PaxXattrs } from "./pax-xattrs.js";
import { archiveOffset, wholeBlocks, type Fed } from "./tar-feed.js";
import { entryComponents } from "./safe-path.js";
import type { StoreLimits } from "./types.js";

export interface UnpackOptions extends WriterOptions {
  limits: Pick<StoreLimits, "maxEntryBytes" | "maxLayerBytes" | "maxEntries">;
  /**
   * The sha256 of the uncompressed bytes, when the caller has verified it already (an uncompressed
   * blob of the store: its digest is its diffID): the bytes are not hashed a second time.
   */
  verifiedDiffId?: string;
  /**
   * The file `source` reads from its start, when it is one: a zstd layer is then read by the zstd
   * program directly, and an uncompressed layer's small files are copied from it by the kernel.
   */
  sourcePath?: string;
}

export interface UnpackResult {
  diffId: string;
  /** Bytes of the uncompressed tar. */
  size: number;
  entries: number;
  warnings: string[];
}

const DEVICES: Partial<Record<ReadEntry["type"], DeviceKind>> = { CharacterDevice: "char", BlockDevice: "block", FIFO: "fifo" };
/** Below this a file's size is not worth a statfs call. */
const SPACE_CHECK_BYTES = 16 * 2 ** 20;

export async function unpackLayer(source: Readable, compression: Compression, options: UnpackOptions): Promise<UnpackResult> {
  // zstd from the file, by the zstd program; anything else from the caller's stream
  const zstdFile = compression === "zstd" ? options.sourcePath : undefined;
  if (zstdFile) source.destroy();
  const input = zstdFile ? decompressedFile(zstdFile, compression) : decompressedStream(source, compression);
  const writer = new LayerWriter({ ...options, dataSource: compression === "none" ? options.sourcePath : undefined });
  const parser = new Parser({ strict: true, zstd: false });
  let failure: unknown;
  let entries = 0;
  let pending: PaxXattrs | null = null;
  let signalFailure: () => void = () => {};
  const failed = new Promise<void>((resolve) => (signalFailure = resolve));
  const fail = (error: unknown) => {
    failure ??= error;
    signalFailure();
  };

  parser.on("meta", (body: string) => {
    pending = paxXattrs(body);
  });
  parser.on("entry", (entry: ReadEntry) => {
    const xattrs = pending;
    pending = null;
    if (failure) return void entry.resume();
    try {
      if (++entries > options.limits.maxEntries) throw new RuntimeError("LAYER_TOO_MANY_ENTRIES", `layer has more than ${options.limits.maxEntries} entries`);
      if (xattrs?.lossy) writer.warnings.push(`${entry.path}: an xattr value was not valid UTF-8 and was dropped`);
      writeEntry(writer, entry, xattrs?.xattrs, options, fail, fed);
    } catch (error) {
      fail(error);
      entry.resume();
    }
  });
  parser.on("ignoredEntry", (entry: ReadEntry) => {
    fail(new RuntimeError("LAYER_UNSUPPORTED_ENTRY", `${entry.path}: unsupported tar entry type ${entry.type}`));
  });
  // not events.once: that rejects on 'error', which `failed` already reports
  const ended = new Promise<void>((resolve) => parser.once("end", () => resolve()));
  parser.on("error", fail);

  const fed: Fed = { piece: Buffer.alloc(0), start: 0 };
  const toParser = wholeBlocks(parser, fed);
  const hash = options.verifiedDiffId ? null : createHash("sha256");
  let size = 0;
  let onlyZeros = true; // until the first entry: an empty layer is zero blocks, anything else must parse
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (size === 0 && sniffCompression(chunk) !== "none") throw new RuntimeError("LAYER_CORRUPT", "layer is compressed twice");
      if (onlyZeros && entries === 0) onlyZeros = chunk.equals(Buffer.alloc(chunk.length));
      size += chunk.length;
      if (size > options.limits.maxLayerBytes) throw new RuntimeError("LAYER_TOO_LARGE", `uncompressed layer exceeds ${options.limits.maxLayerBytes} bytes`);
      hash?.update(chunk);
      toParser.write(chunk);
      if (failure) throw failure;
      writer.idle();
    }
    toParser.end();
    await Promise.race([ended, failed]);
    if (failure && !(onlyZeros && isEmptyArchive(failure, entries))) throw failure;
    writer.finish();
  } catch (error) {
    input.destroy();
    writer.abort();
    throw layerError(error);
  }
  return { diffId: hash ? `sha256:${hash.digest("hex")}` : (options.verifiedDiffId as string), size, entries, warnings: writer.warnings };
}

type Fail = (error: unknown) => void;

function writeEntry(writer: LayerWriter, entry: ReadEntry, xattrs: Map<string, Buffer> | undefined, options: UnpackOptions, fail: Fail, fed: Fed): void {
  const parts = entryComponents(entry.path);
  const mtime = entry.mtime ?? new Date(0);
  const meta: EntryMeta = { mode: entry.mode ?? 0o644, uid: entry.uid ?? 0, gid: entry.gid ?? 0, mtime, atime: entry.atime ?? mtime, xattrs };
  const base = parts[parts.length - 1] ?? "";
  if (base.startsWith(".wh.")) {
    entry.resume();
    const name = base.slice(".wh.".length);
    if (base === ".wh..wh..opq") writer.opaque(parts.slice(0, -1));
    else if (name === "" || name === "." || name === "..") throw new RuntimeError("LAYER_BAD_ENTRY", `${entry.path}: not a whiteout of anything`);
    else if (!base.startsWith(".wh..wh.")) writer.whiteout([...parts.slice(0, -1), name]);
    return; // other .wh..wh.* names are aufs bookkeeping
  }
  const device = DEVICES[entry.type];
  switch (entry.type) {
    case "Directory":
    case "GNUDumpDir":
      writer.directory(parts, { ...meta, mode: entry.mode ?? 0o755 });
      return void entry.resume();
    case "File":
    case "OldFile":
    case "ContiguousFile":
      return writeFile(writer, entry, parts, meta, options, fail, fed);
    case "Link":
      writer.hardlink(parts, entryComponents(entry.linkpath ?? ""));
      return void entry.resume();
    case "SymbolicLink":
      writer.symlink(parts, entry.linkpath ?? "", meta);
      return void entry.resume();
    default:
      if (!device) throw new RuntimeError("LAYER_UNSUPPORTED_ENTRY", `${entry.path}: unsupported tar entry type ${entry.type}`);
      writer.device(parts, device, entry.header.devmaj ?? 0, entry.header.devmin ?? 0, meta);
      return void entry.resume();
  }
}

/** The file's bytes arrive as 'data' events, synchronously inside parser.write(); errors go to `fail`. */
function writeFile(writer: LayerWriter, entry: ReadEntry, parts: string[], meta: EntryMeta, options: UnpackOptions, fail: Fail, fed: Fed): void {
  if (entry.size > options.limits.maxEntryBytes) {
    throw new RuntimeError("LAYER_ENTRY_TOO_LARGE", `${entry.path}: ${entry.size} bytes exceeds the ${options.limits.maxEntryBytes}-byte limit`);
  }
  if (entry.size > SPACE_CHECK_BYTES) {
    const fs = statfsSync(options.root);
    if (entry.size > fs.bavail * fs.bsize) throw new RuntimeError("LAYER_NO_SPACE", `${entry.path}: ${entry.size} bytes do not fit on the store's filesystem`);
  }
  const sink = writer.file(parts, meta, entry.size);
  let failed = false;
  const guard = (step: () => void) => {
    if (failed) return;
    try {
      step();
    } catch (error) {
      failed = true;
      fail(error);
    }
  };
  entry.on("data", (chunk: Buffer) => guard(() => sink.write(chunk, archiveOffset(chunk, fed))));
  entry.on("end", () => guard(() => sink.end()));
}

/** node-tar reports an archive with no entry at all as unrecognized; an empty layer (only zero blocks) is legitimate. */
function isEmptyArchive(error: unknown, entries: number): boolean {
  return entries === 0 && (error as { code?: string }).code === "TAR_BAD_ARCHIVE";
}

/** zlib and node-tar errors mean a broken archive; the rest are typed as they are. */
function layerError(error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof CinfraError) && typeof code === "string" && /^(Z_|TAR_)/.test(code)) {
    return new RuntimeError("LAYER_CORRUPT", `layer archive is corrupt: ${(error as Error).message}`, { cause: error });
  }
  return typedError(error);
}
