/**
 * Writes archive entries into one layer directory, in the form overlayfs reads as a lower layer:
 * a whiteout `.wh.<name>` becomes a char device 0/0 named <name>, `.wh..wh..opq` becomes the xattr
 * trusted.overlay.opaque="y" on its directory. Every path goes through safe-path.ts, so nothing
 * lands outside the root. Later entries replace earlier ones, as tar extraction does.
 */
import {
  chmodSync, closeSync, constants, copyFileSync, fchmodSync, fchownSync, fstatSync, futimesSync, linkSync, lchownSync, lutimesSync,
  openSync, readdirSync, rmSync, statSync, symlinkSync, unlinkSync, writeSync, writevSync, type Stats,
} from "node:fs";
import { join, relative } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import { S_IFBLK, S_IFCHR, S_IFIFO, type LayerSyscalls } from "./layer-syscalls.js";
import { FileHandOver } from "./file-hand-over.js";
import { WRITE_BEHIND_MAX_FILE } from "./write-behind.js";
import { lstatOrNull, mkdirPlain, processUmask, resolveDirInRoot, type ResolveHooks } from "./safe-path.js";

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
  /**
   * A file holding the archive's bytes as they stream (an uncompressed layer blob, read from its
   * start): a small file whose bytes' offset in it is known is copied from it by the kernel.
   */
  dataSource?: string;
}

export type DeviceKind = "char" | "block" | "fifo";
const DEVICE_TYPE: Record<DeviceKind, number> = { char: S_IFCHR, block: S_IFBLK, fifo: S_IFIFO };
const OPAQUE = "trusted.overlay.opaque";

const isWhiteout = (stats: Stats) => stats.isCharacterDevice() && stats.rdev === 0;
const CREATE_EXCL = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** A file's bytes are gathered up to this much and written with one writev. */
const WRITE_BATCH = 1 << 20;

const isEexist = (error: unknown) => (error as NodeJS.ErrnoException).code === "EEXIST";

/** The data sink of one regular file entry. */
export interface FileSink {
  /** `sourceOffset`: where `chunk` sits in the options' dataSource file, when known. */
  write(chunk: Buffer, sourceOffset?: number): void;
  end(): void;
}

export class LayerWriter {
  /** Directory modes and times are set last: creating children would move the times again. */
  private readonly dirMeta = new Map<string, EntryMeta>();
  readonly warnings: string[] = [];
  private openFile: number | null = null;
  /**
   * Resolved parent directories, by the entry's parent components: most entries share a parent, and
   * resolving walks every component with lstat. Dropped whenever an existing entry is replaced, the
   * only way a resolved path can change (a new name cannot sit on an already resolved path).
   */
  private readonly parents = new Map<string, string>();
  /** A new entry already belongs to this uid:gid (ours, and no set-group-ID root to inherit from): no chown. */
  private readonly ownUid = process.geteuid?.() ?? -1;
  private readonly ownGid: number;
  /** Mode bits creation may drop: the umask, or everything once a created mode came out wrong (a default ACL). */
  private umask = processUmask();
  private createModeChecked = false;
  /** Small plain files go to the write-behind worker; this decides which, and keeps entries in order. */
  private readonly handOver: FileHandOver;
  private readonly settle = (path: string) => this.handOver.settle(path);
  private readonly hooks: ResolveHooks = {
    settle: this.settle,
    createDir: (path) => {
      mkdirPlain(path);
      this.handOver.claim(path);
    },
    // A dir below a whiteout from this same layer: the lower dir stays hidden, so the new one is opaque.
    replaceNonDir: (path, stats) => {
      if (!isWhiteout(stats)) return false;
      this.parents.clear();
      unlinkSync(path);
      mkdirPlain(path);
      this.setOpaque(path);
      return true;
    },
  };

  constructor(private readonly options: WriterOptions) {
    this.ownGid = statSync(options.root).mode & 0o2000 ? -1 : (process.getegid?.() ?? -1);
    this.handOver = new FileHandOver(readdirSync(options.root).length === 0, options.dataSource, writeAll);
  }

  directory(parts: string[], meta: EntryMeta): void {
    const path = this.entryPath(parts);
    const existing = parts.length === 0 ? lstatOrNull(path) : this.tryCreate(() => mkdirPlain(path), path);
    if (existing && !existing.isDirectory()) {
      this.clear(path, existing);
      mkdirPlain(path);
      if (isWhiteout(existing)) this.setOpaque(path);
    }
    if (existing?.isDirectory() || !this.ownedAlready(meta)) this.chown(path, meta);
    this.setXattrs(path, meta.xattrs, false);
    this.dirMeta.set(path, meta);
  }

  /**
   * Create a regular file of `size` bytes; the caller writes its bytes, then calls end(). A small
   * file that needs nothing but its bytes, mode and times goes to the write-behind worker, by path.
   * Otherwise the bytes are gathered and written with one writev per MiB; owner, mode and times go
   * through the descriptor. A new file is created with its final mode when the umask keeps it and no
   * chown follows (chown clears set-ID bits).
   */
  file(parts: string[], meta: EntryMeta, size: number): FileSink {
    const { path, fresh } = this.target(parts, true);
    const mode = meta.mode & 0o7777;
    const owned = this.ownedAlready(meta);
    let direct = owned && (mode & 0o7000) === 0 && (mode & this.umask) === 0;
    const plain = direct && !meta.xattrs?.size && size < WRITE_BEHIND_MAX_FILE;
    if (plain && this.createModeChecked && this.handOver.takes(fresh)) return this.handOver.sink(path, mode, meta);
    const open = () => openSync(path, CREATE_EXCL, direct ? mode : 0o600);
    let fd: number;
    try {
      fd = open();
    } catch (error) {
      if (!isEexist(error)) throw error;
      this.clear(path, lstatOrNull(path));
      fd = open();
    }
    if (direct && !this.createModeChecked) {
      this.createModeChecked = true;
      if ((fstatSync(fd).mode & 0o7777) !== mode) {
        this.umask = 0o7777; // a default ACL decides modes here, not the umask: chmod every file
        direct = false;
      }
    }
    this.openFile = fd;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = () => {
      writeAll(fd, pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
    };
    return {
      write: (chunk) => {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= WRITE_BATCH) flush();
      },
      end: () => {
        if (pendingBytes > 0) flush();
        if (!owned && this.options.preserveOwners) fchownSync(fd, meta.uid, meta.gid);
        if (!direct) fchmodSync(fd, mode);
        this.setXattrs(path, meta.xattrs, false);
        futimesSync(fd, meta.atime, meta.mtime);
        this.openFile = null;
        closeSync(fd);
      },
    };
  }

  /** The caller waits for input next: let the write-behind worker run with what it has. */
  idle(): void {
    this.handOver.idle();
  }

  /** After a failure: close the file being written, if any (the caller discards the directory). */
  abort(): void {
    if (this.openFile !== null) closeSync(this.openFile);
    this.openFile = null;
    try {
      this.handOver.close();
    } catch {
      // the failure that made us abort is reported already, or this one is moot: the directory is discarded
    }
  }

  symlink(parts: string[], target: string, meta: EntryMeta): void {
    const path = this.entryPath(parts, true);
    const existing = this.tryCreate(() => symlinkSync(target, path), path);
    if (existing) {
      this.clear(path, existing);
      symlinkSync(target, path);
    }
    this.finishEntry(path, meta, true, true);
  }

  device(parts: string[], kind: DeviceKind, major: number, minor: number, meta: EntryMeta): void {
    const path = this.replace(parts);
    this.options.sys.mknod(path, DEVICE_TYPE[kind] | (meta.mode & 0o7777), major, minor);
    this.finishEntry(path, meta, false);
  }

  /** A hard link to `targetParts`, which must be a file of this layer or, copied up, of a lower one. */
  hardlink(parts: string[], targetParts: string[]): void {
    if (parts.join("/") === targetParts.join("/")) return;
    const dir = resolveDirInRoot(this.options.root, targetParts.slice(0, -1), { settle: this.settle });
    let target = dir && join(this.options.root, ...dir, targetParts[targetParts.length - 1]);
    if (target) this.settle(target);
    const stats = target ? lstatOrNull(target) : null;
    if (!target || !stats) target = this.copyUp(targetParts);
    else if (isWhiteout(stats)) throw badLink(parts, targetParts, "was deleted by this layer");
    else if (stats.isDirectory()) throw badLink(parts, targetParts, "is a directory");
    const path = this.replace(parts);
    linkSync(target, path);
  }

  /** `.wh.<name>`: hide <name> of the lower layers. A same-named entry of this layer stays visible. */
  whiteout(parts: string[]): void {
    const path = this.entryPath(parts, true);
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
    this.handOver.close(); // every file closed before directory times are set
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
    const path = this.entryPath(parts, true);
    this.clear(path, lstatOrNull(path));
    return path;
  }

  /** An entry's path: parents resolved in-root (created when missing), through the cache. */
  private entryPath(parts: string[], notRoot = false): string {
    return this.target(parts, notRoot).path;
  }

  /**
   * An entry's path, settled (see `settle`) and counted as made, since the entry will make it;
   * `fresh` when this writer had not made it before.
   */
  private target(parts: string[], notRoot = false): { path: string; fresh: boolean } {
    if (parts.length === 0) {
      if (notRoot) throw new RuntimeError("LAYER_BAD_ENTRY", "a non-directory entry names the layer root");
      return { path: this.options.root, fresh: false };
    }
    const key = parts.length === 1 ? "" : parts.slice(0, -1).join("/");
    let dir = this.parents.get(key);
    if (dir === undefined) {
      dir = join(this.options.root, ...(resolveDirInRoot(this.options.root, parts.slice(0, -1), this.hooks) as string[]));
      this.parents.set(key, dir);
    }
    const path = join(dir, parts[parts.length - 1]);
    this.settle(path);
    return { path, fresh: this.handOver.claim(path) };
  }

  /** Run a create that fails with EEXIST when the name is taken: null if it created, else what is there. */
  private tryCreate(create: () => void, path: string): Stats | null {
    try {
      create();
      return null;
    } catch (error) {
      if (!isEexist(error)) throw error;
      return lstatOrNull(path);
    }
  }

  private clear(path: string, existing: Stats | null): void {
    if (!existing) return;
    if (existing.isDirectory()) this.handOver.beforeRemoval();
    this.parents.clear();
    if (existing.isDirectory()) rmSync(path, { recursive: true, force: true });
    else unlinkSync(path);
  }

  /** A new entry made by this process already has the owner `meta` asks for. */
  private ownedAlready(meta: EntryMeta): boolean {
    return !this.options.preserveOwners || (meta.uid === this.ownUid && meta.gid === this.ownGid);
  }

  private chown(path: string, meta: EntryMeta): void {
    if (this.options.preserveOwners) lchownSync(path, meta.uid, meta.gid);
  }

  /** Owner first (chown clears set-id bits and file capabilities), then mode, xattrs, times. */
  private finishEntry(path: string, meta: EntryMeta, isSymlink: boolean, isNew = false): void {
    if (!isNew || !this.ownedAlready(meta)) this.chown(path, meta);
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

/** Write `bytes` bytes of `chunks` (one writev; a short write is finished chunk by chunk). */
function writeAll(fd: number, chunks: Buffer[], bytes: number): void {
  let done = chunks.length === 1 ? writeSync(fd, chunks[0]) : writevSync(fd, chunks);
  if (done === bytes) return;
  for (const chunk of chunks) {
    if (done >= chunk.length) {
      done -= chunk.length;
      continue;
    }
    for (let at = done; at < chunk.length; ) at += writeSync(fd, chunk, at, chunk.length - at);
    done = 0;
  }
}
