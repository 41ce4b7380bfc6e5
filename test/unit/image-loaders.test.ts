/** Loading images: OCI layouts (directory and tar), docker save archives, every layer compression, platform choice. */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { create } from "tar";
import { openImageStore, type ImageStore } from "../../provider/linux/images/index.js";
import { configJson, dir, dockerSaveTar, file, gzip, HAS_ZSTD, sha256, tarOf, writeOciLayout } from "../fixtures/images/archives.js";
import { recordingSyscalls, TempRoots } from "../fixtures/images/store-fixture.js";

const temp = new TempRoots();
afterEach(() => temp.cleanup());

const newStore = (): ImageStore => openImageStore(temp.make("lib"), { sys: recordingSyscalls() });
const base = tarOf([dir("etc/"), file("etc/os-release", "ID=fixture\n"), file("bin/sh", "shell", { mode: 0o755 })]);
const top = tarOf([file("etc/motd", "hello\n")]);
const config = { Env: ["PATH=/bin"], Cmd: ["/bin/sh"], WorkingDir: "/srv", User: "1000:1000", ExposedPorts: { "80/tcp": {} }, StopSignal: "SIGQUIT", Labels: { a: "b" } };

async function tarDirectory(source: string, out: string): Promise<string> {
  await create({ file: out, cwd: source, portable: true }, readdirSync(source));
  return out;
}

describe("OCI image layouts", () => {
  it.each(HAS_ZSTD ? (["none", "gzip", "zstd"] as const) : (["none", "gzip"] as const))("loads a layout with %s layers, config and name", async (compression) => {
    const layout = temp.make("oci");
    const [id] = writeOciLayout(layout, [{ layers: [{ tar: base, compression }, { tar: top, compression }], config, refName: "fixture:1" }]);
    const store = newStore();
    const [image] = await store.loadOciLayout(layout);
    expect(image.id).toBe(id);
    expect(image.names).toEqual(["fixture:1"]);
    expect(image.config).toEqual(config);
    expect(image.diffIds).toEqual([sha256(base), sha256(top)]);
    expect(readFileSync(join(store.lowerDirs(image)[0], "etc/motd"), "utf8")).toBe("hello\n");
    expect(store.layers.get(image.layers[1])?.mediaType).toMatch(compression === "none" ? /tar$/ : new RegExp(`\\+${compression}$`));
  });

  it("loads the same layout from a tar, and prunes the blobs it did not need", async () => {
    const layout = temp.make("oci");
    const [id] = writeOciLayout(layout, [{ layers: [{ tar: base, compression: "gzip" }], refName: "v1" }]);
    const store = newStore();
    const [image] = await store.loadOciLayout(await tarDirectory(layout, join(temp.make("out"), "layout.tar")));
    expect(image.id).toBe(id);
    expect(store.blobs.list().sort()).toEqual([id, store.layers.get(image.layers[0])?.digest].sort()); // manifest blob gone
  });

  it("picks this platform's manifest from a nested multi-platform index", async () => {
    const layout = temp.make("oci");
    const [ours, theirs] = writeOciLayout(layout, [{ layers: [{ tar: base }] }, { layers: [{ tar: top }] }]);
    const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8"));
    const arch = process.arch === "x64" ? "amd64" : process.arch;
    index.manifests[0].platform = { os: "linux", architecture: arch };
    index.manifests[1].platform = { os: "linux", architecture: "s390x" };
    const nested = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: index.manifests }));
    writeFileSync(join(layout, "blobs/sha256", sha256(nested).slice(7)), nested);
    const outer = { mediaType: "application/vnd.oci.image.index.v1+json", digest: sha256(nested), size: nested.length, annotations: { "io.containerd.image.name": "multi:latest" } };
    writeFileSync(join(layout, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [outer] }));
    const images = await newStore().loadOciLayout(layout);
    expect(images.map((i) => i.id)).toEqual([ours]);
    expect(images[0].names).toEqual(["multi:latest"]);
    expect(theirs).not.toBe(ours);
  });

  it("rejects a layer whose diffID is not the one its config lists", async () => {
    const layout = temp.make("oci");
    writeOciLayout(layout, [{ layers: [{ tar: base }] }]);
    // swap the layer blob for another valid tar and fix up its descriptor: digests match, diffID does not
    const manifestFile = readdirSync(join(layout, "blobs/sha256")).find((n) => readFileSync(join(layout, "blobs/sha256", n), "utf8").includes("schemaVersion")) as string;
    const manifest = JSON.parse(readFileSync(join(layout, "blobs/sha256", manifestFile), "utf8"));
    writeFileSync(join(layout, "blobs/sha256", sha256(top).slice(7)), top);
    manifest.layers[0] = { ...manifest.layers[0], digest: sha256(top), size: top.length };
    const bytes = Buffer.from(JSON.stringify(manifest));
    writeFileSync(join(layout, "blobs/sha256", sha256(bytes).slice(7)), bytes);
    writeFileSync(join(layout, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: manifest.mediaType, digest: sha256(bytes), size: bytes.length }] }));
    const store = newStore();
    await expect(store.loadOciLayout(layout)).rejects.toMatchObject({ code: "LAYER_DIFFID_MISMATCH" });
    expect(store.listImages()).toEqual([]);
  });

  it("accepts an empty layer (a tar with no entries)", async () => {
    const layout = temp.make("oci");
    const empty = Buffer.alloc(1024);
    const [id] = writeOciLayout(layout, [{ layers: [{ tar: base }, { tar: empty, compression: "gzip" }] }]);
    const [image] = await newStore().loadOciLayout(layout);
    expect(image.id).toBe(id);
    expect(image.diffIds[1]).toBe(sha256(empty));
  });
});

describe("docker save archives", () => {
  it("loads every image with its tags, shared layers once, through the archive's symlinks", async () => {
    const out = temp.make("save");
    const archive = dockerSaveTar([
      { layers: [base, top], config, tags: ["app:1", "app:latest"] },
      { layers: [base], tags: ["base:1"] },
    ]);
    writeFileSync(join(out, "images.tar"), archive);
    writeFileSync(join(out, "images.tar.gz"), gzip(archive));
    const store = newStore();
    const [app, baseImage] = await store.loadDockerArchive(join(out, "images.tar"));
    expect(app.id).toBe(sha256(configJson([{ tar: base }, { tar: top }], config)));
    expect(app.names).toEqual(["app:1", "app:latest"]);
    expect(app.config.Cmd).toEqual(["/bin/sh"]);
    expect(baseImage.layers).toEqual([app.layers[0]]);
    expect(readdirSync(join(store.root, "layers"))).toHaveLength(2);
    const again = await store.loadDockerArchive(join(out, "images.tar.gz"));
    expect(again.map((i) => i.id)).toEqual([app.id, baseImage.id]);
    // left: the two configs and the two layer tars, not the VERSION files or manifest.json
    expect(store.blobs.list()).toHaveLength(4);
  });

  it("says clearly when an archive is not a docker save", async () => {
    const out = temp.make("save");
    writeFileSync(join(out, "x.tar"), tarOf([file("hello.txt", "hi")]));
    await expect(newStore().loadDockerArchive(join(out, "x.tar"))).rejects.toMatchObject({ code: "ARCHIVE_INVALID" });
  });
});

