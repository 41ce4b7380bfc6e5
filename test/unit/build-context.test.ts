/** Build context pieces: .dockerignore patterns, COPY source globs, content hashes, cache keys. */
import { once } from "node:events";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { nextKey } from "../../provider/linux/build/build-cache.js";
import { BuildContext } from "../../provider/linux/build/build-context.js";
import { isIgnored, parseIgnoreFile } from "../../provider/linux/build/path-patterns.js";
import { stageUpperAsLayer } from "../../provider/linux/images/upper-to-layer.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function context(files: Record<string, string>, ignore?: string): BuildContext {
  const root = mkdtempSync(join(tmpdir(), "cinfra-ctx-"));
  dirs.push(root);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), body);
  }
  if (ignore !== undefined) writeFileSync(join(root, ".dockerignore"), ignore);
  return BuildContext.open(root);
}

describe(".dockerignore patterns", () => {
  const patterns = parseIgnoreFile("# comment\n\nnode_modules\n*.log\n!keep.log\n**/tmp\n/build/\ndocs/*.md\n!docs/README.md\n[ab]?.txt\n");
  const ignored = (path: string) => isIgnored(patterns, path);

  it("exclude by name, glob and ** (a matched directory takes everything below it)", () => {
    expect(ignored("node_modules")).toBe(true);
    expect(ignored("node_modules/x/index.js")).toBe(true);
    expect(ignored("a.log")).toBe(true);
    expect(ignored("sub/a.log")).toBe(false); // * does not cross directories
    expect(ignored("x/y/tmp/z")).toBe(true);
    expect(ignored("tmp")).toBe(true);
    expect(ignored("build/out.o")).toBe(true);
    expect(ignored("docs/guide.md")).toBe(true);
    expect(ignored("a1.txt")).toBe(true);
    expect(ignored("c1.txt")).toBe(false);
    expect(ignored("src/main.ts")).toBe(false);
  });

  it("re-include with ! (the last matching line wins)", () => {
    expect(ignored("keep.log")).toBe(false);
    expect(ignored("docs/README.md")).toBe(false);
  });
});

describe("build context", () => {
  it("walks what .dockerignore leaves, and finds COPY sources by glob", () => {
    const ctx = context({ "a.txt": "a", "b.txt": "b", "secret.env": "s", "src/x.ts": "x", "src/y.log": "y" }, "*.env\nsrc/*.log\n");
    expect(ctx.walk()).toEqual([".dockerignore", "a.txt", "b.txt", "src", "src/x.ts"]);
    expect(ctx.sources("*.txt", "COPY")).toEqual(["a.txt", "b.txt"]);
    expect(ctx.sources("./src/", "COPY")).toEqual(["src"]);
    expect(() => ctx.sources("secret.env", "step 2")).toThrow("step 2: secret.env is not in the build context (or .dockerignore excludes it)");
    expect(() => ctx.sources("../etc/passwd", "step 2")).toThrow("step 2: ../etc/passwd is outside the build context");
    expect(() => ctx.sources("*.none", "step 2")).toThrow(/not in the build context/);
  });

  it("refuses a source reached through a symlink that leaves the context", () => {
    const ctx = context({ "a.txt": "a" });
    symlinkSync("/etc", join(ctx.root, "outside"));
    expect(() => ctx.sources("outside/passwd", "COPY")).toThrow(/leads outside the build context/);
  });

  it("hashes content, names and modes, not times; excluded files do not count", () => {
    const ctx = context({ "dir/a": "1", "dir/b": "2", "dir/skip.tmp": "x" }, "**/*.tmp\n");
    const before = ctx.hash("dir");
    utimesSync(join(ctx.root, "dir/a"), new Date(0), new Date(0));
    writeFileSync(join(ctx.root, "dir/skip.tmp"), "changed");
    expect(ctx.hash("dir")).toBe(before);
    chmodSync(join(ctx.root, "dir/a"), 0o755);
    const moded = ctx.hash("dir");
    expect(moded).not.toBe(before);
    writeFileSync(join(ctx.root, "dir/b"), "3");
    expect(ctx.hash("dir")).not.toBe(moded);
  });
});

describe("step cache keys", () => {
  it("chain: the same steps give the same key; any earlier difference changes every later key", () => {
    const a = nextKey(nextKey("sha256:base", "ENV A=1"), "RUN x");
    expect(nextKey(nextKey("sha256:base", "ENV A=1"), "RUN x")).toBe(a);
    expect(nextKey(nextKey("sha256:base", "ENV A=2"), "RUN x")).not.toBe(a);
    expect(nextKey(nextKey("sha256:other", "ENV A=1"), "RUN x")).not.toBe(a);
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe("a RUN step's upper dir as a layer tree", () => {
  it("drops sockets a daemon left (commit refuses them)", async () => {
    const upper = mkdtempSync(join(tmpdir(), "cinfra-upper-"));
    dirs.push(upper);
    mkdirSync(join(upper, "run"));
    writeFileSync(join(upper, "run/kept.txt"), "x");
    const server = createServer().listen(join(upper, "run/daemon.sock"));
    await once(server, "listening");
    try {
      const staged = `${upper}-layer`;
      dirs.push(staged, `${upper}-commit`);
      stageUpperAsLayer(upper, staged, undefined, true);
      expect(readdirSync(join(staged, "run"))).toEqual(["kept.txt"]);
      expect(() => stageUpperAsLayer(upper, `${upper}-commit`)).toThrow(/sockets cannot go into an image layer/);
    } finally {
      server.close();
    }
  });
});
