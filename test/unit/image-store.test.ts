/** The image store's bookkeeping: deterministic import, shared layers, verified blobs, references and prune. */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { openImageStore, type ImageStore } from "../../provider/linux/images/index.js";
import { dir, file, gzip, HAS_ZSTD, tarOf, writeOciLayout, zstd } from "../fixtures/images/archives.js";
import { recordingSyscalls, snapshot, TempRoots } from "../fixtures/images/store-fixture.js";

const temp = new TempRoots();
afterEach(() => temp.cleanup());

const newStore = (): ImageStore => openImageStore(temp.make("lib"), { sys: recordingSyscalls() });

function sampleTree(root: string): string {
  mkdirSync(join(root, "bin"), { recursive: true });
  mkdirSync(join(root, "etc"));
  writeFileSync(join(root, "bin/tool"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
  writeFileSync(join(root, "etc/passwd"), "root:x:0:0::/root:/bin/sh\n");
  symlinkSync("tool", join(root, "bin/alias"));
  // deeper than ustar's 255 characters: must survive as a pax path, not be cut short
  const deep = join(root, "a".repeat(90), "b".repeat(90), "c".repeat(90));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, "leaf.txt"), "deep");
  return root;
}

const base = tarOf([dir("etc/"), file("etc/os-release", "ID=fixture\n"), file("bin/sh", "shell", { mode: 0o755 })]);
const appLayer = (name: string) => tarOf([dir("app/"), file(`app/${name}`, name)]);

describe("importRootfs", () => {
  it("gives the same diffID and image id for the same directory, wherever and whoever packs it", async () => {
    const source = sampleTree(temp.make("src"));
    const copy = temp.make("copy");
    cpSync(source, copy, { recursive: true, verbatimSymlinks: true });
    const first = await newStore().importRootfs(source, { Cmd: ["/bin/tool"] });
    const store = newStore();
    const again = await store.importRootfs(source, { Cmd: ["/bin/tool"] });
    const user = process.env.USER;
    process.env.USER = "someone-else";
    const fromCopy = await newStore().importRootfs(copy, { Cmd: ["/bin/tool"] }).finally(() => (process.env.USER = user));
    expect(again.id).toBe(first.id);
    expect(fromCopy.diffIds).toEqual(first.diffIds);
    expect(fromCopy.id).toBe(first.id);
    expect(first.layers).toEqual(first.diffIds); // one layer: chain ID = diff ID
    const leaf = join(store.lowerDirs(again)[0], "a".repeat(90), "b".repeat(90), "c".repeat(90), "leaf.txt");
    expect(readFileSync(leaf, "utf8")).toBe("deep");
  });

  it("imports a .tar.gz the same as the .tar it compresses", async () => {
    const root = temp.make("tars");
    writeFileSync(join(root, "rootfs.tar"), base);
    writeFileSync(join(root, "rootfs.tar.gz"), gzip(base));
    const store = newStore();
    const plain = await store.importRootfs(join(root, "rootfs.tar"));
    const gz = await store.importRootfs(join(root, "rootfs.tar.gz"));
    expect(gz.id).toBe(plain.id);
    expect(store.listImages()).toHaveLength(1);
    expect(store.getImage(plain.id)?.names).toEqual([join(root, "rootfs.tar"), join(root, "rootfs.tar.gz")]);
  });
});

describe("layers", () => {
  it("unpacks a layer shared by two images once", async () => {
    const store = newStore();
    const layout = temp.make("oci");
    writeOciLayout(layout, [
      { layers: [{ tar: base, compression: "gzip" }, { tar: appLayer("one") }], refName: "one" },
      { layers: [{ tar: base, compression: "gzip" }, { tar: appLayer("two") }], refName: "two" },
    ]);
    const [one, two] = await store.loadOciLayout(layout);
    expect(one.layers[0]).toBe(two.layers[0]);
    expect(readdirSync(join(store.root, "layers")).sort()).toEqual([...new Set([...one.layers, ...two.layers])].map((c) => c.slice(7)).sort());
    const baseMeta = statSync(join(store.root, "layers", one.layers[0].slice(7), "meta.json"));
    await store.loadOciLayout(layout); // again: nothing new is unpacked
    expect(statSync(join(store.root, "layers", one.layers[0].slice(7), "meta.json")).ino).toBe(baseMeta.ino);
    expect(store.lowerDirs(two).map((d) => d.split("/").at(-2))).toEqual([two.layers[1].slice(7), two.layers[0].slice(7)]);
    expect(readFileSync(join(store.lowerDirs(two)[0], "app/two"), "utf8")).toBe("two");
  });

  it("applyLayer checks the announced diffID and media type", async () => {
    const store = newStore();
    const gz = gzip(base);
    await expect(store.applyLayer(Readable.from([gz]), "application/vnd.oci.image.layer.v1.tar")).rejects.toMatchObject({ code: "LAYER_MEDIA_TYPE" });
    await expect(store.applyLayer(Readable.from([gz]), undefined, { diffId: `sha256:${"0".repeat(64)}` })).rejects.toMatchObject({ code: "LAYER_DIFFID_MISMATCH" });
    const layer = await store.applyLayer(Readable.from([gz]), "application/vnd.oci.image.layer.v1.tar+gzip");
    expect(layer.parent).toBeNull();
    const top = await store.applyLayer(Readable.from([appLayer("x")]), undefined, { parent: layer.chainId });
    expect(top.parent).toBe(layer.chainId);
    expect(store.layers.lowerDirs(top.chainId)).toHaveLength(2);
  });
});

describe("blobs", () => {
  it("rejects a corrupt or truncated blob and leaves the store as it was", async () => {
    const store = newStore();
    await store.importRootfs(sampleTree(temp.make("src")));
    const before = snapshot(store.root);
    const good = gzip(base);
    const truncated = good.subarray(0, good.length - 20);
    const digest = `sha256:${"ab".repeat(32)}`;
    await expect(store.blobs.write(Readable.from([good]), { expected: digest })).rejects.toMatchObject({ code: "BLOB_DIGEST_MISMATCH" });
    await expect(store.blobs.write(Readable.from([good]), { size: good.length - 1 })).rejects.toMatchObject({ code: "BLOB_SIZE_MISMATCH" });
    await expect(store.applyLayer(Readable.from([truncated]))).rejects.toMatchObject({ code: "LAYER_CORRUPT" });
    expect(snapshot(store.root)).toEqual(before);
  });

  it("rejects a layout whose blob does not match its digest, without recording an image", async () => {
    const store = newStore();
    const layout = temp.make("oci");
    writeOciLayout(layout, [{ layers: [{ tar: base }] }]);
    const blobs = join(layout, "blobs", "sha256");
    const layerBlob = readdirSync(blobs).find((name) => readFileSync(join(blobs, name)).equals(base)) as string;
    writeFileSync(join(blobs, layerBlob), Buffer.concat([base.subarray(0, 600), Buffer.alloc(base.length - 600, 1)]));
    await expect(store.loadOciLayout(layout)).rejects.toMatchObject({ code: "BLOB_DIGEST_MISMATCH" });
    expect(store.listImages()).toEqual([]);
    expect(existsSync(join(store.root, "layers")) ? readdirSync(join(store.root, "layers")) : []).toEqual([]);
    expect(store.blobs.has(`sha256:${layerBlob}`)).toBe(false);
  });

  it("never lets a digest name a path", () => {
    const store = newStore();
    expect(() => store.getImage("../../etc/passwd")).toThrow(/not a sha256 digest/);
    expect(() => store.markInUse("sha512:abc", "c1")).toThrow(/not a sha256 digest/);
  });
});

describe("references and prune", () => {
  it("keeps the layers of an image a container holds, and frees them once released", async () => {
    const store = newStore();
    const layout = temp.make("oci");
    writeOciLayout(layout, [{ layers: [{ tar: base }, { tar: appLayer("one") }] }, { layers: [{ tar: base }, { tar: appLayer("two") }] }]);
    const [one, two] = await store.loadOciLayout(layout);
    store.markInUse(one.id, "container-a");
    expect(() => store.removeImage(one.id)).toThrow(/in use by container-a/);
    expect(store.removeImageIfUnused(one.id)).toBe(false);
    const removed = store.removeImage(two.id);
    expect(removed.layers).toEqual([two.layers[1]]); // the shared base stays: image one uses it
    expect(store.prune().layers).toEqual([]);
    for (const dir of store.lowerDirs(one)) expect(existsSync(dir)).toBe(true);
    store.releaseHolder("container-a");
    expect(store.holders(one.id)).toEqual([]);
    expect(store.removeImageIfUnused(one.id)).toBe(true);
    expect(readdirSync(join(store.root, "layers"))).toEqual([]);
    expect(store.blobs.list()).toEqual([]);
  });

  it("leaves what an import in progress has pinned, and clears a dead importer's leftovers", async () => {
    const store = newStore();
    const layer = await store.applyLayer(Readable.from([base]));
    const pin = store.pin();
    pin.add({ layers: [layer.chainId], blobs: [layer.digest] });
    expect(store.prune()).toMatchObject({ layers: [], blobs: [] });
    pin.release();
    mkdirSync(join(store.root, "tmp", "999999999-layer-deadbeef"), { recursive: true });
    const result = store.prune();
    expect(result.layers).toEqual([layer.chainId]);
    expect(result.blobs).toEqual([layer.digest]);
    expect(result.temps).toBe(1);
  });
});

describe("zstd layers read by the zstd program from the stored blob", () => {
  it.skipIf(!HAS_ZSTD)("unpacks a whole blob, and a truncated one is LAYER_CORRUPT with no layer left", async () => {
    const tar = tarOf([dir("etc"), file("etc/motd", "hello from zstd\n".repeat(5000))]);
    const store = newStore();
    const layer = await store.applyLayer(Readable.from([zstd(tar)]), "application/vnd.oci.image.layer.v1.tar+zstd");
    expect(readFileSync(join(store.layerDir(layer.chainId), "etc/motd"), "utf8")).toBe("hello from zstd\n".repeat(5000));
    const other = newStore();
    const packed = zstd(tarOf([file("a", "x".repeat(300_000))]));
    await expect(other.applyLayer(Readable.from([packed.subarray(0, packed.length - 20)]), "application/vnd.oci.image.layer.v1.tar+zstd")).rejects.toMatchObject({ code: "LAYER_CORRUPT" });
    expect(existsSync(join(other.root, "layers")) ? readdirSync(join(other.root, "layers")) : []).toEqual([]);
  });
});
