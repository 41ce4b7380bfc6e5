/**
 * Writes archive entries into one layer directory, in the form overlayfs reads as a lower layer:
 * a whiteout `.wh.<name>` becomes a char device 0/0 named <name>, `.wh..wh..opq` becomes the xattr
 * trusted.overlay.opaque="y" on its directory. Every path goes through safe-path.ts, so nothing
 * lands outside the root. Later entries replace earlier ones, as tar extraction does.
 */
import {
  chmodSync, closeSync, copyFileSync, linkSync, lchownSync, lutimesSync, openSync, rmSync, symlinkSync,
  unlinkSync, writeSync, type Stats,
} from "node:fs";
import { join, relative } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import { S_IFBLK, S_IFCHR, S_IFIFO, type LayerSyscalls } from "./layer-syscalls.js";
import { entryPath, lstatOrNull, mkdirPlain, resolveDirInRoot, type ResolveHooks } from "./safe-path.js";

export interface EntryMeta {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  atime: Date;
  xattrs?: Map<string, Buffer>;
}

export interface WriterOptions {
  root: string;
  /** Lower layers' dirs, top first: where a hard link's target may be found to copy up. */
  lowerDirs: string[];
  sys: LayerSyscalls;
  /** chown entries to their archive owners (needs root); otherwise files belong to the caller. */
  preserveOwners: boolean;
}

export type DeviceKind = "char" | "block" | "fifo";
const DEVICE_TYPE: Record<DeviceKind, number> = { char: S_IFCHR, block: S_IFBLK, fifo: S_IFIFO };
const OPAQUE = "trusted.overlay.opaque";

const isWhiteout = (stats: Stats) => stats.isCharacterDevice() && stats.rdev === 0;

export class LayerWriter {
  /** Directory modes and times are set last: creating children would move the times again. */
  private readonly dirMeta = new Map<string, EntryMeta>();
  readonly warnings: string[] = [];
  private openFile: number | null = null;
  private readonly hooks: ResolveHooks = {
    createDir: mkdirPlain,
    // A dir below a whiteout from this same layer: the lower dir stays hidden, so the new one is opaque.
    replaceNonDir: (path, stats) => {
      if (!isWhiteout(stats)) return false;
      unlinkSync(path);
      mkdirPlain(path);
      this.setOpaque(path);
      return true;
    },
  };

  constructor(private readonly options: WriterOptions) {}

  directory(parts: string[], meta: EntryMeta): void {
    const path = entryPath(this.options.root, parts, this.hooks);
    const existing = lstatOrNull(path);
    if (!existing?.isDirectory()) {
      this.clear(path, existing);
      mkdirPlain(path);
      if (existing && isWhiteout(existing)) this.setOpaque(path);
    }
    this.chown(path, meta);
    this.setXattrs(path, meta.xattrs, false);
    this.dirMeta.set(path, meta);
  }

  /** Create a regular file; the caller writes its bytes, then calls end(). */
  file(parts: string[], meta: EntryMeta): { write(chunk: Buffer): void; end(): void } {
    const path = this.replace(parts);
    const fd = openSync(path, "wx", 0o600);
    this.openFile = fd;
    return {
      write: (chunk) => {
        for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done, chunk.length - done);
      },
      end: () => {
        this.openFile = null;
        closeSync(fd);
        this.finishEntry(path, meta, false);
      },
    };
  }

  /** After a failure: close the file being written, if any (the caller discards the directory). */
  abort(): void {
    if (this.openFile !== null) closeSync(this.openFile);
    this.openFile = null;
  }

  symlink(parts: string[], target: string, meta: EntryMeta): void {
    const path = this.replace(parts);
    symlinkSync(target, path);
    this.finishEntry(path, meta, true);
  }

  device(parts: string[], kind: DeviceKind, major: number, minor: number, meta: EntryMeta): void {
    const path = this.replace(parts);
    this.options.sys.mknod(path, DEVICE_TYPE[kind] | (meta.mode & 0o7777), major, minor);
    this.finishEntry(path, meta, false);
  }

  /** A hard link to `targetParts`, which must be a file of this layer or, copied up, of a lower one. */
  hardlink(parts: string[], targetParts: string[]): void {
    if (parts.join("/") === targetParts.join("/")) return;
    const dir = resolveDirInRoot(this.options.root, targetParts.slice(0, -1));
    let target = dir && join(this.options.root, ...dir, targetParts[targetParts.length - 1]);
    const stats = target ? lstatOrNull(target) : null;
    if (!target || !stats) target = this.copyUp(targetParts);
    else if (isWhiteout(stats)) throw badLink(parts, targetParts, "was deleted by this layer");
    else if (stats.isDirectory()) throw badLink(parts, targetParts, "is a directory");
    const path = this.replace(parts);
    linkSync(target, path);
  }

  /** `.wh.<name>`: hide <name> of the lower layers. A same-named entry of this layer stays visible. */
  whiteout(parts: string[]): void {
    const path = entryPath(this.options.root, parts, this.hooks);
    const existing = lstatOrNull(path);
    if (existing?.isDirectory()) this.setOpaque(path);
    else if (!existing) this.options.sys.mknod(path, S_IFCHR, 0, 0);
  }

  /** `.wh..wh..opq` in `dirParts`: that directory hides everything below it in lower layers. */
  opaque(dirParts: string[]): void {
    const dir = resolveDirInRoot(this.options.root, dirParts, this.hooks) as string[];
    this.setOpaque(join(this.options.root, ...dir));
  }

  /**
   * Apply the deferred directory modes and times. A later entry may have replaced the directory, or
   * one of its parents by a symlink: only a path that is still made of real directories is touched.
   */
  finish(): void {
    for (const [path, meta] of this.dirMeta) {
      if (!isPlainDirectory(this.options.root, path)) continue;
      chmodSync(path, meta.mode & 0o7777);
      lutimesSync(path, meta.atime, meta.mtime);
    }
  }

  private setOpaque(path: string): void {
    this.options.sys.lsetxattr(path, OPAQUE, Buffer.from("y"));
  }

  /** Resolve an entry's path and clear whatever an earlier entry left there. */
  private replace(parts: string[]): string {
    if (parts.length === 0) throw new RuntimeError("LAYER_BAD_ENTRY", "a non-directory entry names the layer root");
    const path = entryPath(this.options.root, parts, this.hooks);
    this.clear(path, lstatOrNull(path));
    return path;
  }

  private clear(path: string, existing: Stats | null): void {
    if (!existing) return;
    if (existing.isDirectory()) rmSync(path, { recursive: true, force: true });
    else unlinkSync(path);
  }

  private chown(path: string, meta: EntryMeta): void {
    if (this.options.preserveOwners) lchownSync(path, meta.uid, meta.gid);
  }

  /** Owner first (chown clears set-id bits and file capabilities), then mode, xattrs, times. */
  private finishEntry(path: string, meta: EntryMeta, isSymlink: boolean): void {
    this.chown(path, meta);
    if (!isSymlink) chmodSync(path, meta.mode & 0o7777);
    this.setXattrs(path, meta.xattrs, isSymlink);
    lutimesSync(path, meta.atime, meta.mtime);
  }

  private setXattrs(path: string, xattrs: Map<string, Buffer> | undefined, isSymlink: boolean): void {
    for (const [name, value] of xattrs ?? []) {
      // overlayfs reads trusted.overlay.* as instructions (opaque, redirect, metacopy): only cinfra sets those.
      if (name.startsWith("trusted.overlay.")) {
        this.warnings.push(`${path}: ignored ${name}`);
      } else if (isSymlink && name.startsWith("user.")) {
        this.warnings.push(`${path}: user.* xattrs cannot be set on a symlink (${name})`); // the kernel refuses them
      } else {
        this.options.sys.lsetxattr(path, name, value);
      }
    }
  }

  /** Overlay semantics for a link to a file from a lower layer: copy the file up, then link to the copy. */
  private copyUp(targetParts: string[]): string {
    for (const lower of this.options.lowerDirs) {
      const dir = resolveDirInRoot(lower, targetParts.slice(0, -1));
      if (!dir) continue;
      const source = join(lower, ...dir, targetParts[targetParts.length - 1]);
      const stats = lstatOrNull(source);
      if (!stats) continue;
      if (!stats.isFile()) break; // a whiteout (deleted) or not a file: nothing to link to
      const copy = this.replace(targetParts);
      copyFileSync(source, copy);
      const xattrs = new Map<string, Buffer>();
      for (const name of this.options.sys.llistxattr(source)) xattrs.set(name, this.options.sys.lgetxattr(source, name) as Buffer);
      this.finishEntry(copy, { mode: stats.mode, uid: stats.uid, gid: stats.gid, atime: stats.atime, mtime: stats.mtime, xattrs }, false);
      return copy;
    }
    throw badLink([], targetParts, "is not a file of this layer or a lower one");
  }
}

/** Every component from `root` down to `path` is a directory, none a symlink. */
function isPlainDirectory(root: string, path: string): boolean {
  let current = root;
  for (const part of relative(root, path).split("/").filter(Boolean)) {
    current = join(current, part);
    if (!lstatOrNull(current)?.isDirectory()) return false;
  }
  return true;
}

function badLink(parts: string[], target: string[], why: string): RuntimeError {
  return new RuntimeError("LAYER_BAD_LINK", `hard link ${parts.join("/")} -> ${target.join("/")}: target ${why}`);
}
