/**
 * COPY and ADD as a layer tree: the sources from the build context are written into a staging
 * directory at their destination in the image (parents the image already has get their modes and
 * owners, new ones root 0755), which then becomes one layer. Docker's rules: a directory source
 * copies its contents; several sources or a destination ending in "/" mean a directory; a
 * destination that is a directory in the image receives the file; ADD unpacks local tar archives
 * (plain, gzip, zstd) into the destination. Files belong to root unless --chown says otherwise.
 */
import { chmodSync, copyFileSync, createReadStream, lchownSync, mkdirSync, readlinkSync, symlinkSync, type Stats } from "node:fs";
import { basename, join, posix } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import { decompressedFile, readHead, sniffCompression, type Compression } from "../images/decompress.js";
import { libcLayerSyscalls } from "../images/layer-syscalls.js";
import { unpackLayer } from "../images/layer-unpack.js";
import { lstatOrNull } from "../images/safe-path.js";
import { DEFAULT_LIMITS } from "../images/types.js";
import type { ImageFs } from "./image-fs.js";

/** Where COPY reads: the build context, or (COPY --from) another stage's or image's filesystem. */
export interface TreeSource {
  stat(rel: string): Stats;
  /** The host path holding the entry's bytes or link target. */
  hostPath(rel: string): string;
  /** Every entry below `rel` (relative paths from the source's root), sorted, depth first. */
  walk(rel: string): string[];
}

/** COPY --from: an image's merged filesystem, read through its layers. */
export function imageSource(image: ImageFs): TreeSource {
  const find = (rel: string) => {
    const found = image.lookup(rel ? rel.split("/") : []);
    if (!found) throw new RuntimeError("BUILD_SOURCE", `/${rel} is not in the image`);
    return found;
  };
  const walk = (rel: string): string[] => image.list(rel ? rel.split("/") : []).flatMap((name) => {
    const path = rel ? `${rel}/${name}` : name;
    return find(path).stats.isDirectory() ? [path, ...walk(path)] : [path];
  });
  return { stat: (rel) => find(rel).stats, hostPath: (rel) => find(rel).path, walk };
}

export interface CopySpec {
  /** Context paths (globs already expanded). */
  sources: string[];
  /** Absolute destination in the image, as written (a trailing "/" matters). */
  dest: string;
  owner: { uid: number; gid: number };
  /** --chmod, applied to every file and directory copied. */
  mode?: number;
  /** ADD: unpack local archives. */
  extract: boolean;
}

export async function stageCopy(context: TreeSource, image: ImageFs, spec: CopySpec, staging: string, step: string): Promise<void> {
  const intoDir = spec.dest.endsWith("/") || spec.sources.length > 1 || image.isDirectory(spec.dest);
  if (spec.sources.length > 1 && !spec.dest.endsWith("/") && !image.isDirectory(spec.dest)) {
    throw new RuntimeError("BUILD_COPY", `${step}: with several sources the destination must be a directory ending in "/"`);
  }
  const destParts = image.resolve(spec.dest, intoDir);
  for (const source of spec.sources) {
    const st = context.stat(source);
    const archive = spec.extract && st.isFile() ? await archiveKind(context.hostPath(source)) : null;
    if (st.isDirectory() || archive) {
      const dir = ensureDir(staging, destParts, image, spec);
      if (archive) await extract(context.hostPath(source), archive, dir, step);
      else copyTree(context, source, dir, spec);
    } else {
      const parts = intoDir ? [...destParts, basename(source)] : destParts;
      if (parts.length === 0) throw new RuntimeError("BUILD_COPY", `${step}: cannot copy a file onto the image's root directory`);
      const parent = ensureDir(staging, parts.slice(0, -1), image, spec, false);
      copyEntry(context, source, join(parent, parts[parts.length - 1]), spec);
    }
  }
}

/** WORKDIR: the directory (and missing parents) as a layer tree, root 0755. */
export function stageDirs(staging: string, parts: string[], image: ImageFs): string {
  return ensureDir(staging, parts, image, { sources: [], dest: "", owner: { uid: 0, gid: 0 }, extract: false }, false);
}

/** Staging dirs down to `parts`: existing image dirs keep mode and owner; new ones are root 0755 (the last gets --chown). */
function ensureDir(staging: string, parts: string[], image: ImageFs, spec: CopySpec, ownLast = true): string {
  let path = staging;
  for (let i = 0; i < parts.length; i++) {
    path = join(path, parts[i]);
    if (lstatOrNull(path)?.isDirectory()) continue;
    const existing = image.lookup(parts.slice(0, i + 1));
    if (existing && !existing.stats.isDirectory()) {
      throw new RuntimeError("BUILD_COPY", `/${parts.slice(0, i + 1).join("/")} exists in the image and is not a directory`);
    }
    mkdirSync(path);
    const last = i === parts.length - 1 && ownLast;
    const owner = existing ? { uid: existing.stats.uid, gid: existing.stats.gid } : last ? spec.owner : { uid: 0, gid: 0 };
    lchownSync(path, owner.uid, owner.gid);
    chmodSync(path, existing ? existing.stats.mode & 0o7777 : last && spec.mode !== undefined ? spec.mode : 0o755);
  }
  return path;
}

function copyEntry(context: TreeSource, rel: string, target: string, spec: CopySpec): void {
  const st = context.stat(rel);
  const source = context.hostPath(rel);
  const existing = lstatOrNull(target);
  if (existing && !(existing.isDirectory() && st.isDirectory())) throw new RuntimeError("BUILD_COPY", `${rel}: copied twice to the same place`);
  if (st.isDirectory()) {
    if (!existing) mkdirSync(target);
  } else if (st.isFile()) {
    copyFileSync(source, target);
  } else if (st.isSymbolicLink()) {
    symlinkSync(readlinkSync(source), target);
  } else {
    throw new RuntimeError("BUILD_COPY", `${rel}: only files, directories and symlinks can be copied`);
  }
  lchownSync(target, spec.owner.uid, spec.owner.gid);
  if (!st.isSymbolicLink()) chmodSync(target, spec.mode ?? st.mode & 0o7777);
}

/** A directory's contents (not the directory itself) into `target`, minus what .dockerignore excludes. */
function copyTree(context: TreeSource, rel: string, target: string, spec: CopySpec): void {
  for (const path of context.walk(rel)) {
    const below = rel ? path.slice(rel.length + 1) : path;
    const parent = posix.dirname(below);
    // A kept file below an excluded directory: its directories come along, as Docker does.
    if (parent !== "." && !lstatOrNull(join(target, parent))) mkdirSync(join(target, parent), { recursive: true, mode: 0o755 });
    copyEntry(context, path, join(target, below), spec);
  }
}

/** A tar archive (plain, gzip or zstd) by its bytes: a compressed file that is not a tar is copied as it is, as Docker does. */
async function archiveKind(path: string): Promise<Compression | null> {
  const head = readHead(path, 512);
  const compression = sniffCompression(head);
  const tarHead = compression === "none" ? head : await decompressedHead(path, compression);
  return tarHead.length >= 262 && tarHead.toString("latin1", 257, 262) === "ustar" ? compression : null;
}

/** The first 512 bytes after decompression (or fewer; a corrupt stream gives what it gave). */
async function decompressedHead(path: string, compression: Compression): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = decompressedFile(path, compression);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= 512) break;
    }
  } catch {
    // not a valid stream of that kind: not an archive
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, 512);
}

async function extract(archive: string, compression: Compression, dir: string, step: string): Promise<void> {
  try {
    await unpackLayer(createReadStream(archive), compression, {
      root: dir, lowerDirs: [], sys: libcLayerSyscalls(), preserveOwners: true, limits: DEFAULT_LIMITS, sourcePath: archive,
    });
  } catch (error) {
    throw new RuntimeError("BUILD_ADD", `${step}: cannot unpack ${basename(archive)}: ${(error as Error).message}`, { cause: error });
  }
}
