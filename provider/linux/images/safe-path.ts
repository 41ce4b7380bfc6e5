/**
 * Paths from an archive, confined to the layer directory.
 *
 * Entry names are made relative ("/etc/x" and "./etc/x" both mean etc/x, as Docker and containerd
 * read them); a name that climbs above the root with ".." is refused. Parent directories are then
 * resolved the way a chroot would: a symlink met on the way is followed *inside* the root (an
 * absolute target restarts at the root, ".." stops at it), so a link that points outside can never
 * carry a write outside. The last component is never followed: callers replace it or create it.
 */
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, type Stats } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../../../core/errors.js";

const MAX_SYMLINK_HOPS = 40;
export const MAX_DEPTH = 1024;

/** Components of an entry name relative to the layer root; [] is the root itself. */
export function entryComponents(name: string): string[] {
  const parts: string[] = [];
  for (const part of name.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) throw new RuntimeError("LAYER_PATH_ESCAPE", `archive entry ${JSON.stringify(name)} points outside the layer`);
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  if (parts.length > MAX_DEPTH) throw new RuntimeError("LAYER_BAD_ENTRY", `archive entry ${name.slice(0, 80)}… is nested too deep`);
  return parts;
}

export function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

export interface ResolveHooks {
  /** Called with each path before it is looked at: a writer that creates files later settles this one now. */
  settle?(path: string): void;
  /** Called for a missing parent; when absent, a missing parent makes the resolution return null. */
  createDir?(path: string): void;
  /** A non-directory met where a parent must be (an earlier whiteout, say): may replace it; true if it did. */
  replaceNonDir?(path: string, stats: Stats): boolean;
}

/**
 * The directory `dirParts` names inside `root`, symlinks followed in-root. Returns components under
 * `root` with no symlink or ".." left in them, so join(root, ...result) is always inside root.
 */
export function resolveDirInRoot(root: string, dirParts: string[], hooks: ResolveHooks = {}): string[] | null {
  const current: string[] = [];
  const pending = [...dirParts];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === "" || part === ".") continue;
    if (part === "..") {
      current.pop();
      continue;
    }
    const path = join(root, ...current, part);
    hooks.settle?.(path);
    const stats = lstatOrNull(path);
    if (!stats) {
      if (!hooks.createDir) return null;
      hooks.createDir(path);
    } else if (stats.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS) throw new RuntimeError("LAYER_BAD_ENTRY", `too many symlinks resolving ${dirParts.join("/")}`);
      const target = readlinkSync(path);
      if (target.startsWith("/")) current.length = 0;
      pending.unshift(...target.split("/"));
      continue;
    } else if (!stats.isDirectory() && !hooks.replaceNonDir?.(path, stats)) {
      if (!hooks.createDir) return null;
      throw new RuntimeError("LAYER_BAD_ENTRY", `${dirParts.join("/")}: ${current.concat(part).join("/")} is not a directory`);
    }
    current.push(part);
  }
  return current;
}

/** Absolute path for entry `parts` in `root`: parents resolved in-root (created as 0755 dirs), last component as is. */
export function entryPath(root: string, parts: string[], hooks: ResolveHooks): string {
  if (parts.length === 0) return root;
  const dir = resolveDirInRoot(root, parts.slice(0, -1), hooks) as string[];
  return join(root, ...dir, parts[parts.length - 1]);
}

/** A directory an archive implies but does not list: 0755, like Docker's (chmod only if the umask took bits). */
export function mkdirPlain(path: string): void {
  mkdirSync(path, 0o755);
  if (processUmask() & 0o755) chmodSync(path, 0o755);
}

let umask: number | undefined;
/** The process umask, read once from /proc (process.umask() without an argument is deprecated). */
export function processUmask(): number {
  umask ??= Number.parseInt(/^Umask:\s+([0-7]+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "777", 8);
  return umask;
}
