/**
 * Other tools as oracles (run when Debian's umoci and skopeo are installed): umoci builds an OCI
 * image from a busybox rootfs in two layers (the second deletes and replaces things, so it carries
 * whiteouts), and its own unpack of the result is what our overlay of the loaded layers must show.
 * skopeo re-exports the image as a docker-save archive and with zstd layers: same layers, same tree.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openImageStore, type ImageRecord, type ImageStore } from "../../provider/linux/images/index.js";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { describeTree, OverlayMounts } from "../fixtures/images/overlay-mount.js";
import { TempRoots } from "../fixtures/images/store-fixture.js";
import { has } from "../helpers/has-tool.js";

const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });

describe.skipIf(!has("umoci") || !has("skopeo"))("umoci and skopeo as oracles", () => {
  const temp = new TempRoots();
  const mounts = new OverlayMounts();
  let work: string;
  let store: ImageStore;
  let image: ImageRecord;

  beforeAll(async () => {
    work = temp.make("oracle");
    run("umoci", ["init", "--layout", "layout"], work);
    run("umoci", ["new", "--image", "layout:t"], work);
    run("umoci", ["unpack", "--image", "layout:t", "b1"], work);
    const rootfs1 = join(work, "b1/rootfs");
    makeBusyboxRootfs(rootfs1);
    mkdirSync(join(rootfs1, "home/app/cache"), { recursive: true });
    writeFileSync(join(rootfs1, "home/app/cache/old"), "old");
    writeFileSync(join(rootfs1, "home/app/tool"), "#!/bin/sh\n");
    chownSync(join(rootfs1, "home/app/tool"), 1000, 1000);
    chmodSync(join(rootfs1, "home/app/tool"), 0o4750);
    run("umoci", ["repack", "--image", "layout:t", "b1"], work);
    run("umoci", ["unpack", "--image", "layout:t", "b2"], work);
    const rootfs2 = join(work, "b2/rootfs");
    unlinkSync(join(rootfs2, "bin/vi"));
    unlinkSync(join(rootfs2, "etc/group"));
    rmSync(join(rootfs2, "home/app/cache"), { recursive: true });
    mkdirSync(join(rootfs2, "home/app/cache"));
    writeFileSync(join(rootfs2, "home/app/cache/new"), "new");
    mkdirSync(join(rootfs2, "srv"));
    writeFileSync(join(rootfs2, "srv/index.html"), "<h1>hi</h1>\n");
    run("umoci", ["repack", "--image", "layout:t", "b2"], work);
    run("umoci", ["config", "--image", "layout:t", "--config.cmd=/bin/httpd", "--config.env=A=1"], work);
    run("umoci", ["unpack", "--image", "layout:t", "final"], work);
    store = openImageStore(temp.make("lib"));
    [image] = await store.loadOciLayout(join(work, "layout"));
  });
  afterAll(() => {
    mounts.unmountAll();
    temp.cleanup();
  });

  it("shows through overlay exactly the tree umoci unpacks", () => {
    expect(image.names).toEqual(["t"]);
    expect(image.config.Cmd).toEqual(["/bin/httpd"]);
    expect(image.layers).toHaveLength(2);
    const merged = mounts.mount(temp.make("ovl"), store.lowerDirs(image));
    const expected = describeTree(join(work, "final/rootfs"));
    expect(expected).toContain("home/app/cache/new f3 644 0:0");
    expect(expected.some((line) => line.startsWith("bin/vi "))).toBe(false);
    expect(describeTree(merged)).toEqual(expected);
  });

  it("loads skopeo's docker-archive export as the same layers", async () => {
    run("skopeo", ["copy", "oci:layout:t", "docker-archive:saved.tar:cinfra/oracle:t"], work);
    const [saved] = await store.loadDockerArchive(join(work, "saved.tar"));
    expect(saved.diffIds).toEqual(image.diffIds);
    expect(saved.layers).toEqual(image.layers); // already unpacked: shared, not unpacked again
    expect(saved.names.join(" ")).toMatch(/cinfra\/oracle:t/);
    expect(saved.config.Cmd).toEqual(["/bin/httpd"]);
  });

  it("unpacks skopeo's zstd re-compression to the same trees", async () => {
    run("skopeo", ["copy", "--dest-compress-format", "zstd", "oci:layout:t", "oci:zstd-layout:t"], work);
    const fresh = openImageStore(temp.make("lib"));
    const [zstdImage] = await fresh.loadOciLayout(join(work, "zstd-layout"));
    expect(zstdImage.diffIds).toEqual(image.diffIds);
    expect(fresh.layers.get(zstdImage.layers[0])?.mediaType).toMatch(/zstd$/);
    for (const [i, dir] of fresh.lowerDirs(zstdImage).entries()) expect(describeTree(dir)).toEqual(describeTree(store.lowerDirs(image)[i]));
  });
});
