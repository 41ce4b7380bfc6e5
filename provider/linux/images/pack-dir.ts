/**
 * Deterministic layer tarball of a directory: entries sorted, mtimes fixed, owners and modes kept,
 * so the same files always give the same diffID (and so the same image id).
 */
import { createHash } from "node:crypto";
import { createWriteStream, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { create } from "tar";

function sortedEntries(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    out.push(path);
    if (lstatSync(join(root, path)).isDirectory()) out.push(...sortedEntries(root, path));
  }
  return out;
}

/** Pack `dir` into `outFile`; returns the sha256 of the tar bytes (the layer's diffID). */
export async function packDirectory(dir: string, outFile: string): Promise<string> {
  const hash = createHash("sha256");
  const tee = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const epoch = new Date(0);
  const pack = create({
    cwd: dir, noDirRecurse: true, mtime: epoch, portable: false, noPax: true,
    // Owners and modes are kept; access and change times would make every copy of a tree differ.
    onWriteEntry(entry) {
      if (entry.stat) Object.assign(entry.stat, { atime: epoch, ctime: epoch });
    },
  }, sortedEntries(dir));
  await pipeline(pack, tee, createWriteStream(outFile));
  return `sha256:${hash.digest("hex")}`;
}
