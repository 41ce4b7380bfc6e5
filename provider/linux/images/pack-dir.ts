/**
 * Deterministic layer tarball of a directory: entries sorted, times fixed, owners and modes kept,
 * so the same files always give the same diffID (and so the same image id), whoever packs them.
 */
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { create, type Pack } from "tar";

function sortedEntries(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    out.push(path);
    if (lstatSync(join(root, path)).isDirectory()) out.push(...sortedEntries(root, path));
  }
  return out;
}

/** Host owner -> owner in the layer (a remapped container's files are stored as its namespace sees them). */
export type OwnerMap = (uid: number, gid: number) => [number, number];

/** The tar stream of `dir` (uncompressed; its sha256 is the layer's diffID). */
export function packDirectory(dir: string, owners?: OwnerMap): Pack {
  const epoch = new Date(0);
  return create({
    cwd: dir, noDirRecurse: true, mtime: epoch, portable: false,
    onWriteEntry(entry) {
      // Owners and modes are kept. Everything else that differs between two copies of a tree goes:
      // access/change times, and the dev/inode/link counts and user name that pax headers carry
      // (hard links were already detected from the real values before this runs).
      if (entry.stat) Object.assign(entry.stat, { atime: epoch, ctime: epoch, dev: 0, ino: 0, nlink: 1 });
      if (entry.stat && owners) [entry.stat.uid, entry.stat.gid] = owners(entry.stat.uid, entry.stat.gid);
      entry.myuser = "";
    },
  }, sortedEntries(dir));
}
