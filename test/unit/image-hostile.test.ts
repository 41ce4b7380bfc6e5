/**
 * Hostile archives: nothing they contain may write outside the layer directory. Each case either
 * fails the layer (and leaves no layer behind) or lands inside it; the directory they aim at is
 * compared before and after.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openImageStore, type ImageStore } from "../../provider/linux/images/index.js";
import { dir, file, gzip, hardlink, symlink, tarOf, writeOciLayout, type FixtureEntry } from "../fixtures/images/archives.js";
import { recordingSyscalls, snapshot, TempRoots } from "../fixtures/images/store-fixture.js";

const temp = new TempRoots();
let store: ImageStore;
let outside: string;

beforeEach(() => {
  store = openImageStore(temp.make("lib"), { sys: recordingSyscalls(), limits: { maxEntries: 1000 } });
  outside = temp.make("outside");
  writeFileSync(join(outside, "victim"), "original");
});
afterEach(() => temp.cleanup());

/** Apply `entries` as a layer; returns the layer dir, or the error. Either way nothing outside may change. */
async function apply(entries: FixtureEntry[]): Promise<{ dir?: string; error?: { code?: string } }> {
  const before = snapshot(outside);
  let result: { dir?: string; error?: { code?: string } };
  try {
    const layer = await store.applyLayer(Readable.from([tarOf(entries)]));
    result = { dir: store.layerDir(layer.chainId) };
  } catch (error) {
    result = { error: error as { code?: string } };
    expect(existsSync(join(store.root, "layers")) ? readdirSync(join(store.root, "layers")) : []).toEqual([]);
  }
  expect(snapshot(outside)).toEqual(before);
  expect(readFileSync(join(outside, "victim"), "utf8")).toBe("original");
  expect(readdirSync(join(store.root, "tmp")).filter((n) => n.includes("layer"))).toEqual([]); // staging dirs removed
  return result;
}

const up = "../".repeat(12);

describe("hostile layer archives", () => {
  it("refuses names that climb out with ..", async () => {
    const { error } = await apply([file(`${up}${outside.slice(1)}/pwned`, "x")]);
    expect(error?.code).toBe("LAYER_PATH_ESCAPE");
    const sneaky = await apply([dir("a/"), file(`a/../../${outside.slice(1)}/pwned`, "x")]);
    expect(sneaky.error?.code).toBe("LAYER_PATH_ESCAPE");
  });

  it("reads absolute names as relative to the layer", async () => {
    const { dir: layer } = await apply([file(`${outside}/pwned`, "inside")]);
    expect(readFileSync(join(layer as string, outside, "pwned"), "utf8")).toBe("inside");
  });

  it("follows a symlink that points outside only within the layer, for writes through it", async () => {
    const { dir: layer } = await apply([
      symlink("abs", outside), file("abs/pwned", "via absolute link"),
      symlink("rel", `${up}${outside.slice(1)}`), file("rel/pwned2", "via relative link"),
      symlink("chain", "abs"), file("chain/sub/pwned3", "via two links"),
    ]);
    expect(readFileSync(join(layer as string, outside, "pwned"), "utf8")).toBe("via absolute link");
    expect(readFileSync(join(layer as string, outside, "pwned2"), "utf8")).toBe("via relative link");
    expect(readFileSync(join(layer as string, outside, "sub/pwned3"), "utf8")).toBe("via two links");
  });

  it("replaces a symlink named by a later entry instead of writing through it", async () => {
    const { dir: layer } = await apply([symlink("victim", `${outside}/victim`), file("victim", "replaced")]);
    expect(readFileSync(join(layer as string, "victim"), "utf8")).toBe("replaced");
  });

  it("sets a directory's deferred mode only while its path is still real directories", async () => {
    mkdirSync(join(outside, "b"), { mode: 0o700 });
    const before = statSync(join(outside, "b"));
    // a/b's mode and time are applied at the end, by which time a has become a link to `outside`
    const { dir: layer } = await apply([dir("a/"), dir("a/b/", { mode: 0o777, mtime: new Date(0) }), symlink("a", outside)]);
    expect(lstatSync(join(layer as string, "a")).isSymbolicLink()).toBe(true);
    expect(statSync(join(outside, "b")).mode).toBe(before.mode);
    expect(statSync(join(outside, "b")).mtimeMs).toBe(before.mtimeMs);
  });

  it("refuses whiteouts that name . or ..", async () => {
    expect((await apply([file(".wh...", "")])).error?.code).toBe("LAYER_BAD_ENTRY");
    expect((await apply([dir("sub/"), file("sub/.wh..", "")])).error?.code).toBe("LAYER_BAD_ENTRY");
  });

  it("refuses hard links to files outside the layer", async () => {
    const absolute = await apply([hardlink("stolen", `${outside}/victim`)]);
    expect(absolute.error?.code).toBe("LAYER_BAD_LINK");
    const climbing = await apply([hardlink("stolen", `${up}${outside.slice(1)}/victim`)]);
    expect(climbing.error?.code).toBe("LAYER_PATH_ESCAPE");
    const throughLink = await apply([symlink("out", outside), hardlink("stolen", "out/victim")]);
    expect(throughLink.error?.code).toBe("LAYER_BAD_LINK");
    expect(statSync(join(outside, "victim")).nlink).toBe(1);
  });

  it("keeps hard links inside the layer working", async () => {
    const { dir: layer } = await apply([file("bin/busybox", "bb", { mode: 0o755 }), hardlink("bin/sh", "bin/busybox")]);
    expect(statSync(join(layer as string, "bin/sh")).ino).toBe(statSync(join(layer as string, "bin/busybox")).ino);
  });

  it("rejects absurd sizes and entry counts before writing them", async () => {
    const huge = await apply([{ path: "big", type: "File", size: 2 ** 40, body: "tiny" }]);
    expect(huge.error?.code).toBe("LAYER_ENTRY_TOO_LARGE");
    const many = await apply(Array.from({ length: 1001 }, (_, i) => file(`f${i}`, "")));
    expect(many.error?.code).toBe("LAYER_TOO_MANY_ENTRIES");
  });

  it("stops a decompression bomb at the layer size limit", async () => {
    const small = openImageStore(temp.make("lib"), { sys: recordingSyscalls(), limits: { maxLayerBytes: 2 ** 20 } });
    const bomb = gzip(tarOf([file("zeros", "", { body: Buffer.alloc(64 * 2 ** 20) })]));
    expect(bomb.length).toBeLessThan(2 ** 20);
    await expect(small.applyLayer(Readable.from([bomb]))).rejects.toMatchObject({ code: "LAYER_TOO_LARGE" });
  });

  it("refuses a layer compressed twice, a non-tar and a tar cut inside a file", async () => {
    await expect(store.applyLayer(Readable.from([gzip(gzip(tarOf([file("a", "a")])))]))).rejects.toMatchObject({ code: "LAYER_CORRUPT" });
    await expect(store.applyLayer(Readable.from([Buffer.alloc(4096, 7)]))).rejects.toMatchObject({ code: "LAYER_CORRUPT" });
    await expect(store.applyLayer(Readable.from([Buffer.from("a short text, not a tar")]))).rejects.toMatchObject({ code: "LAYER_CORRUPT" });
    const tar = tarOf([file("a", "x".repeat(5000))]);
    await expect(store.applyLayer(Readable.from([tar.subarray(0, 2000)]))).rejects.toMatchObject({ code: "LAYER_CORRUPT" }); // cut mid-file
  });

  it("never uses a manifest's digest as a path", async () => {
    const layout = temp.make("oci");
    writeOciLayout(layout, [{ layers: [{ tar: tarOf([file("a", "a")]) }] }]);
    const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8"));
    index.manifests[0].digest = `sha256:../../../../${outside.slice(1)}/victim`;
    writeFileSync(join(layout, "index.json"), JSON.stringify(index));
    await expect(store.loadOciLayout(layout)).rejects.toMatchObject({ code: "DIGEST_INVALID" });
  });
});
