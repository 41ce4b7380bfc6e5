/**
 * Layers unpacked with the real syscalls (root): whiteouts as char devices 0/0, opaque dirs as
 * trusted.overlay.opaque, device nodes, owners, set-id modes, xattrs, hard links into a lower layer;
 * then a real overlay mount of the image shows the merged view the OCI spec describes.
 */
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { libcLayerSyscalls, openImageStore, type ImageRecord, type ImageStore } from "../../provider/linux/images/index.js";
import { dir, file, hardlink, HAS_ZSTD, tarOf, writeOciLayout, type FixtureEntry } from "../fixtures/images/archives.js";
import { OverlayMounts } from "../fixtures/images/overlay-mount.js";
import { TempRoots } from "../fixtures/images/store-fixture.js";

const temp = new TempRoots();
const mounts = new OverlayMounts();
const sys = libcLayerSyscalls();
// vfs_cap_data v2 granting cap_net_raw (bit 13), effective: the kernel checks the format on set.
const CAP_NET_RAW = Buffer.from([1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const major = (rdev: number) => Math.floor(rdev / 256) & 0xfff;
const minor = (rdev: number) => (rdev & 0xff) | ((rdev >> 12) & 0xfff00);

const base = tarOf([
  dir("etc/"), file("etc/a", "a"), file("etc/b", "b"),
  dir("opaque/"), file("opaque/old1", "old"), dir("opaque/sub/"), file("opaque/sub/deep", "deep"),
  dir("keep/"), file("keep/x", "x"),
  dir("replaced/"), file("replaced/stale", "stale"),
  dir("bin/"), file("bin/busybox", "bb", { mode: 0o755 }),
]);
const special: FixtureEntry[] = [
  { path: "dev/null", type: "CharacterDevice", devmaj: 1, devmin: 3, mode: 0o666 },
  { path: "dev/sda", type: "BlockDevice", devmaj: 8, devmin: 0, mode: 0o660, gid: 6 },
  { path: "run/fifo", type: "FIFO", mode: 0o600 },
  file("home/user/owned", "#!/bin/sh\n", {
    uid: 1234, gid: 5678, mode: 0o4755,
    pax: { "SCHILY.xattr.user.note": "hello", "SCHILY.xattr.security.capability": CAP_NET_RAW, "SCHILY.xattr.trusted.overlay.redirect": "/etc" },
  }),
];
const top = tarOf([
  file("etc/.wh.a", ""),
  file("opaque/.wh..wh..opq", ""), file("opaque/new", "new"),
  file(".wh.replaced", ""), dir("replaced/"), file("replaced/fresh", "fresh"),
  hardlink("bin/sh", "bin/busybox"),
  ...special,
]);

let store: ImageStore;
let image: ImageRecord;
let topDir: string;
let merged: string;

beforeAll(async () => {
  store = openImageStore(temp.make("lib"));
  const layout = temp.make("oci");
  writeOciLayout(layout, [{ layers: [{ tar: base, compression: "gzip" }, { tar: top, compression: HAS_ZSTD ? "zstd" : "gzip" }], refName: "overlay-test" }]);
  [image] = await store.loadOciLayout(layout);
  topDir = store.lowerDirs(image)[0];
  merged = mounts.mount(temp.make("ovl"), store.lowerDirs(image));
});
afterAll(() => {
  mounts.unmountAll();
  temp.cleanup();
});

describe("the unpacked top layer", () => {
  it("turns .wh.<name> into a char device 0/0 and .wh..wh..opq into trusted.overlay.opaque", () => {
    const whiteout = lstatSync(join(topDir, "etc/a"));
    expect(whiteout.isCharacterDevice() && whiteout.rdev === 0).toBe(true);
    expect(sys.lgetxattr(join(topDir, "opaque"), "trusted.overlay.opaque")?.toString()).toBe("y");
    expect(readdirSync(join(topDir, "opaque"))).toEqual(["new"]); // the marker itself is not a file
    // whiteout and directory of the same name in one layer: the new directory hides the old one
    expect(sys.lgetxattr(join(topDir, "replaced"), "trusted.overlay.opaque")?.toString()).toBe("y");
  });

  it("creates device nodes and fifos, with owners, set-id modes and xattrs", () => {
    const nullDev = lstatSync(join(topDir, "dev/null"));
    expect(nullDev.isCharacterDevice() && major(nullDev.rdev) === 1 && minor(nullDev.rdev) === 3).toBe(true);
    expect(nullDev.mode & 0o7777).toBe(0o666);
    const sda = lstatSync(join(topDir, "dev/sda"));
    expect([sda.isBlockDevice(), major(sda.rdev), minor(sda.rdev), sda.gid]).toEqual([true, 8, 0, 6]);
    expect(lstatSync(join(topDir, "run/fifo")).isFIFO()).toBe(true);
    const owned = lstatSync(join(topDir, "home/user/owned"));
    expect([owned.uid, owned.gid, owned.mode & 0o7777]).toEqual([1234, 5678, 0o4755]);
    expect(sys.lgetxattr(join(topDir, "home/user/owned"), "user.note")?.toString()).toBe("hello");
    expect(sys.lgetxattr(join(topDir, "home/user/owned"), "security.capability")).toEqual(CAP_NET_RAW);
    expect(sys.lgetxattr(join(topDir, "home/user/owned"), "trusted.overlay.redirect")).toBeNull(); // never taken from an archive
  });

  it("copies a lower layer's file up to hard-link it, as overlayfs would", () => {
    expect(lstatSync(join(topDir, "bin/sh")).ino).toBe(lstatSync(join(topDir, "bin/busybox")).ino);
    expect(readFileSync(join(topDir, "bin/sh"), "utf8")).toBe("bb");
    expect(lstatSync(join(topDir, "bin/busybox")).mode & 0o777).toBe(0o755);
  });
});

describe("a real overlay of the image", () => {
  it("hides whited-out files and the old contents of opaque directories", () => {
    expect(readdirSync(join(merged, "etc"))).toEqual(["b"]);
    expect(readdirSync(join(merged, "opaque"))).toEqual(["new"]);
    expect(readdirSync(join(merged, "replaced"))).toEqual(["fresh"]);
    expect(readFileSync(join(merged, "keep/x"), "utf8")).toBe("x");
    expect(readFileSync(join(merged, "bin/sh"), "utf8")).toBe("bb");
    expect(lstatSync(join(merged, "home/user/owned")).uid).toBe(1234);
  });
});
