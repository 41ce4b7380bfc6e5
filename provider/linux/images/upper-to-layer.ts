/**
 * An overlay upper dir as an OCI layer tree: overlay's whiteouts (char 0/0) become `.wh.<name>`
 * files and an opaque directory (trusted.overlay.opaque=y) gets a `.wh..wh..opq` entry, the OCI
 * image spec's spelling of the same facts. Files are hard-linked into the staging tree (it lives
 * in the store's tmp/, on the same filesystem as the containers' dirs), so the cost is per entry,
 * not per byte; owners and modes are kept for packDirectory's deterministic tar.
 */
import { chmodSync, copyFileSync, lchownSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import { libcLayerSyscalls, S_IFBLK, S_IFCHR, S_IFIFO, type LayerSyscalls } from "./layer-syscalls.js";

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_MARKER = ".wh..wh..opq";
const OPAQUE_XATTR = "trusted.overlay.opaque";

function markerFile(path: string): void {
  writeFileSync(path, "", { mode: 0o600 });
}

function stageEntry(sys: LayerSyscalls, source: string, target: string, parent: string, name: string, skipSockets: boolean): void {
  const st = lstatSync(source);
  if (skipSockets && st.isSocket()) return;
  if (st.isCharacterDevice() && st.rdev === 0) {
    markerFile(join(parent, `${WHITEOUT_PREFIX}${name}`)); // deleted from the layers below
    return;
  }
  if (st.isDirectory()) {
    mkdirSync(target);
    if (sys.lgetxattr(source, OPAQUE_XATTR)?.toString() === "y") markerFile(join(target, OPAQUE_MARKER));
    for (const child of readdirSync(source).sort()) stageEntry(sys, join(source, child), join(target, child), target, child, skipSockets);
    chmodSync(target, st.mode & 0o7777);
  } else if (st.isFile()) {
    try {
      linkSync(source, target);
      return; // same inode: owner and mode come along
    } catch {
      copyFileSync(source, target);
      chmodSync(target, st.mode & 0o7777);
    }
  } else if (st.isSymbolicLink()) {
    symlinkSync(readlinkSync(source), target);
  } else if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) {
    const type = st.isCharacterDevice() ? S_IFCHR : st.isBlockDevice() ? S_IFBLK : S_IFIFO;
    sys.mknod(target, type | (st.mode & 0o7777), Math.floor(st.rdev / 256) & 0xfff, (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00));
  } else {
    throw new RuntimeError("COMMIT_UNSUPPORTED_ENTRY", `${source}: sockets cannot go into an image layer`);
  }
  lchownSync(target, st.uid, st.gid);
}

/**
 * Stage `upper` translated into `staging` (which must not exist yet). Sockets are an error for
 * commit (a running service's socket says the snapshot is not what the user thinks); a build step
 * drops them, as `docker build` does.
 */
export function stageUpperAsLayer(upper: string, staging: string, sys: LayerSyscalls = libcLayerSyscalls(), skipSockets = false): void {
  mkdirSync(staging, { recursive: true });
  for (const name of readdirSync(upper).sort()) stageEntry(sys, join(upper, name), join(staging, name), staging, name, skipSockets);
}
