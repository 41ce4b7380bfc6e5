/**
 * Read-only lookups in an image's filesystem without mounting it: a path is looked up through the
 * layer dirs top first, as overlayfs would (a whiteout hides it, an opaque directory hides what
 * lower layers have below it), and symlinks on the way are followed inside the image's root.
 * COPY and WORKDIR use it to tell whether a destination exists and is a directory.
 */
import { readdirSync, readlinkSync, type Stats } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import { libcLayerSyscalls, type LayerSyscalls } from "../images/layer-syscalls.js";
import { lstatOrNull } from "../images/safe-path.js";

export interface Found {
  /** Where the entry lives on the host (in one layer's dir). */
  path: string;
  stats: Stats;
}

const isWhiteout = (st: Stats) => st.isCharacterDevice() && st.rdev === 0;

export class ImageFs {
  constructor(readonly lowerDirs: readonly string[], private readonly sys: LayerSyscalls = libcLayerSyscalls()) {}

  /** The entry at `parts` (no symlink followed), or null. */
  lookup(parts: readonly string[]): Found | null {
    if (parts.length === 0) return this.lowerDirs.length ? { path: this.lowerDirs[0], stats: lstatOrNull(this.lowerDirs[0])! } : null;
    for (const dir of this.lowerDirs) {
      let current = dir;
      let opaque = false;
      for (let i = 0; i < parts.length; i++) {
        current = join(current, parts[i]);
        const st = lstatOrNull(current);
        if (!st) break;
        if (isWhiteout(st)) return null;
        if (i === parts.length - 1) return { path: current, stats: st };
        if (!st.isDirectory()) return null; // a file here: nothing can be below it
        if (this.sys.lgetxattr(current, "trusted.overlay.opaque")?.toString() === "y") opaque = true;
      }
      if (opaque) return null; // lower layers are hidden below an opaque directory
    }
    return null;
  }

  /**
   * An absolute path's components with symlinks resolved inside the image (an absolute target
   * restarts at the root, ".." stops at it); the last component is followed only if `followLast`.
   */
  resolve(path: string, followLast: boolean): string[] {
    const queue = path.split("/");
    let resolved: string[] = [];
    let hops = 0;
    while (queue.length > 0) {
      const name = queue.shift() as string;
      if (name === "" || name === ".") continue;
      if (name === "..") {
        resolved.pop();
        continue;
      }
      const candidate = [...resolved, name];
      const last = !queue.some((n) => n !== "" && n !== ".");
      const found = last && !followLast ? null : this.lookup(candidate);
      if (found?.stats.isSymbolicLink()) {
        if (++hops > 40) throw new RuntimeError("BUILD_PATH", `${path}: too many levels of symbolic links in the image`);
        const target = readlinkSync(found.path);
        if (target.startsWith("/")) resolved = [];
        queue.unshift(...target.split("/"));
        continue;
      }
      resolved = candidate;
    }
    return resolved;
  }

  /** The names visible in the directory at `parts` (merged over the layers, whiteouts applied), sorted. */
  list(parts: readonly string[]): string[] {
    const names = new Set<string>();
    const hidden = new Set<string>();
    for (const dir of this.lowerDirs) {
      const view = this.layerView(dir, parts);
      if (view === "blocked") break;
      if (view !== "absent") {
        const path = join(dir, ...parts);
        for (const name of readdirSync(path)) {
          if (names.has(name) || hidden.has(name)) continue;
          if (isWhiteout(lstatOrNull(join(path, name))!)) hidden.add(name);
          else names.add(name);
        }
        if (view === "opaque") break;
      }
    }
    return [...names].sort();
  }

  /** What one layer says about a directory: has it (plain or opaque), lacks it, or hides it from lower layers. */
  private layerView(dir: string, parts: readonly string[]): "dir" | "opaque" | "absent" | "blocked" {
    let current = dir;
    let opaque = false;
    for (let i = 0; i < parts.length; i++) {
      current = join(current, parts[i]);
      const st = lstatOrNull(current);
      if (!st) return opaque ? "blocked" : "absent";
      if (!st.isDirectory()) return "blocked"; // a whiteout or a file hides what lower layers have here
      if (this.sys.lgetxattr(current, "trusted.overlay.opaque")?.toString() === "y") opaque = true;
    }
    return opaque ? "opaque" : "dir";
  }

  /** Is there a directory at `path` (symlinks followed)? */
  isDirectory(path: string): boolean {
    return this.lookup(this.resolve(path, true))?.stats.isDirectory() ?? false;
  }
}
