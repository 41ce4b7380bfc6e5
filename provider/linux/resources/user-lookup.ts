/** Resolve `user` ("name", "uid", "uid:gid", "name:group") against the image's /etc/passwd and /etc/group. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../../../core/errors.js";

function readFromLayers(layers: string[], path: string): string | null {
  for (const dir of layers) {
    try {
      return readFileSync(join(dir, path), "utf8");
    } catch {
      // not in this layer; look lower
    }
  }
  return null;
}

function lookup(table: string | null, name: string, file: string): string[] {
  const row = table?.split("\n").map((l) => l.split(":")).find((f) => f[0] === name);
  if (!row) throw new RuntimeError("UNKNOWN_USER", `"${name}" is not in the image's ${file}`);
  return row;
}

/** `layers` are the image's lower dirs, top-first. */
export function resolveUser(user: string | undefined, layers: string[]): { uid: number; gid: number } {
  if (!user) return { uid: 0, gid: 0 };
  const [who, group] = user.split(":");
  let uid: number;
  let gid: number;
  if (/^\d+$/.test(who)) {
    uid = Number(who);
    gid = uid;
  } else {
    const row = lookup(readFromLayers(layers, "etc/passwd"), who, "/etc/passwd");
    uid = Number(row[2]);
    gid = Number(row[3]);
  }
  if (group !== undefined) {
    gid = /^\d+$/.test(group) ? Number(group) : Number(lookup(readFromLayers(layers, "etc/group"), group, "/etc/group")[2]);
  }
  return { uid, gid };
}
