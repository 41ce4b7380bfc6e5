/**
 * The build context: a directory, minus what .dockerignore excludes. Finds COPY/ADD sources (globs
 * included, never outside the context) and hashes trees by content, type and mode (not times, not
 * owners: COPY gives files to root), which is what the step cache and the plan-time digest use.
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, realpathSync, type Stats } from "node:fs";
import { join, posix } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import { cleanRelative, compilePattern, hasWildcard, isIgnored, parseIgnoreFile, type PathPattern } from "./path-patterns.js";

export class BuildContext {
  readonly root: string;
  private readonly realRoot: string;
  private readonly hasExceptions: boolean;

  constructor(root: string, private readonly ignore: PathPattern[]) {
    this.root = root;
    this.realRoot = realpathSync(root);
    this.hasExceptions = ignore.some((p) => p.negated);
  }

  static open(root: string): BuildContext {
    if (!existsSync(root) || !lstatSync(root).isDirectory()) throw new RuntimeError("BUILD_CONTEXT", `build context ${root} is not a directory`);
    const file = join(root, ".dockerignore");
    return new BuildContext(root, existsSync(file) ? parseIgnoreFile(readFileSync(file, "utf8")) : []);
  }

  excluded(rel: string): boolean {
    return isIgnored(this.ignore, rel);
  }

  /** Every entry below `rel` that is not excluded, sorted, depth first (rel paths). */
  walk(rel = ""): string[] {
    const out: string[] = [];
    for (const name of readdirSync(join(this.root, rel)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const ignored = this.excluded(child);
      if (!ignored) out.push(child);
      // An excluded directory is skipped unless a `!` pattern may bring something below it back.
      if ((!ignored || this.hasExceptions) && lstatSync(join(this.root, child)).isDirectory()) out.push(...this.walk(child));
    }
    return out;
  }

  /** The context paths a COPY/ADD source names (a glob may name several); an error when there are none. */
  sources(source: string, step: string): string[] {
    const normal = posix.normalize(source.replace(/^\/+/, "") || ".");
    if (normal === ".." || normal.startsWith("../")) throw new RuntimeError("BUILD_SOURCE", `${step}: ${source} is outside the build context`);
    const rel = cleanRelative(source);
    let found: string[];
    if (hasWildcard(rel)) {
      const re = compilePattern(rel);
      found = this.walk().filter((path) => re.test(path));
    } else {
      found = rel === "" || (existsSync(join(this.root, rel)) || isSymlink(join(this.root, rel))) && !this.excluded(rel) ? [rel] : [];
    }
    if (found.length === 0) throw new RuntimeError("BUILD_SOURCE", `${step}: ${source} is not in the build context (or .dockerignore excludes it)`);
    for (const path of found) this.checkInside(path, step);
    return found;
  }

  /** A source reached through a symlinked directory must still be inside the context. */
  private checkInside(rel: string, step: string): void {
    const parent = join(this.root, rel, "..");
    const real = realpathSync(parent);
    if (real !== this.realRoot && !real.startsWith(`${this.realRoot}/`)) {
      throw new RuntimeError("BUILD_SOURCE", `${step}: ${rel} leads outside the build context (through a symlink)`);
    }
  }

  hostPath(rel: string): string {
    return join(this.root, rel);
  }

  stat(rel: string): Stats {
    return lstatSync(join(this.root, rel));
  }

  /** Content hash of a file or tree: names, types, modes, bytes, link targets; excluded entries left out. */
  hash(rel: string): string {
    const hash = createHash("sha256");
    const add = (path: string, name: string) => {
      const st = this.stat(path);
      hash.update(`${name}\0${typeOf(st)}\0${(st.mode & 0o7777).toString(8)}\0`);
      if (st.isFile()) hash.update(createHash("sha256").update(readFileSync(join(this.root, path))).digest());
      else if (st.isSymbolicLink()) hash.update(readlinkSync(join(this.root, path)));
      hash.update("\n");
    };
    add(rel, ".");
    if (this.stat(rel).isDirectory()) {
      const below = this.walk(rel);
      for (const path of below) add(path, rel ? path.slice(rel.length + 1) : path);
    }
    return `sha256:${hash.digest("hex")}`;
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function typeOf(st: Stats): string {
  if (st.isFile()) return "f";
  if (st.isDirectory()) return "d";
  if (st.isSymbolicLink()) return "l";
  return "o";
}
