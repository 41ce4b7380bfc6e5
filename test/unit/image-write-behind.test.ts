/**
 * A layer big enough for the write-behind worker (layer-writer.ts hands small plain files to it
 * after the first few hundred): every file has its bytes, mode and time, and entries after the
 * hand-over that replace, link or climb through earlier names behave as when written in place.
 */
import { lstatSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, expect, it } from "vitest";
import { openImageStore } from "../../provider/linux/images/index.js";
import { dir, file, hardlink, symlink, tarOf, type FixtureEntry } from "../fixtures/images/archives.js";
import { recordingSyscalls, snapshot, TempRoots } from "../fixtures/images/store-fixture.js";

const temp = new TempRoots();
afterEach(() => temp.cleanup());

const FILES = 900;
const body = (i: number) => `file ${i} `.repeat(1 + (i % 37) * 50);
const mtime = (i: number) => new Date(1_600_000_000_000 + i * 1000);
const mode = (i: number) => (i % 3 === 0 ? 0o755 : 0o644);

it("writes every file of a large layer, and later entries see the earlier ones", async () => {
  const store = openImageStore(temp.make("lib"), { sys: recordingSyscalls(), limits: { maxEntries: 5000 } });
  const outside = temp.make("outside");
  writeFileSync(join(outside, "victim"), "original");
  const before = snapshot(outside);
  const entries: FixtureEntry[] = [dir("d")];
  for (let i = 0; i < FILES; i++) entries.push(file(`d/f${i}`, body(i), { mode: mode(i), mtime: mtime(i) }));
  entries.push(
    hardlink("d/link", "d/f800"), // a file possibly still being written by the worker
    symlink("d/f850", "f1"), // replaces a handed-over file
    dir("d/f851"), // and a directory in place of another
    file("d/f851/inner", "inner"),
    file("d/f852", "second version"), // a later entry with the same name wins
    symlink("d/out", outside), // climbing through a symlink stays in the layer
    file("d/out/victim", "inside"),
    file("d/.wh.f880", ""), // a whiteout leaves the same layer's file visible, even one still on its way
  );
  const layer = await store.applyLayer(Readable.from([tarOf(entries)]));
  const root = store.layerDir(layer.chainId);
  for (let i = 0; i < FILES; i++) {
    if (i === 850 || i === 851 || i === 852) continue;
    const path = join(root, "d", `f${i}`);
    const stats = statSync(path);
    expect(readFileSync(path, "utf8")).toBe(body(i));
    expect(stats.mode & 0o7777).toBe(mode(i));
    expect(stats.mtimeMs).toBe(mtime(i).getTime());
  }
  expect(statSync(join(root, "d/f800")).nlink).toBe(2);
  expect(readFileSync(join(root, "d/link"), "utf8")).toBe(body(800));
  expect(readlinkSync(join(root, "d/f850"))).toBe("f1");
  expect(lstatSync(join(root, "d/f851")).isDirectory()).toBe(true);
  expect(readFileSync(join(root, "d/f851/inner"), "utf8")).toBe("inner");
  expect(readFileSync(join(root, "d/f852"), "utf8")).toBe("second version");
  expect(readFileSync(join(root, outside, "victim"), "utf8")).toBe("inside");
  expect(readFileSync(join(root, "d/f880"), "utf8")).toBe(body(880));
  expect(snapshot(outside)).toEqual(before);
});

it("refuses an entry below a handed-over file, directly or through a symlink, as below any file", async () => {
  for (const [i, below] of [[860, [file("d/f860/x", "x")]], [870, [symlink("d/l", "f870"), file("d/l/x", "x")]]] as const) {
    const store = openImageStore(temp.make(`lib${i}`), { sys: recordingSyscalls(), limits: { maxEntries: 5000 } });
    const entries: FixtureEntry[] = [dir("d")];
    for (let n = 0; n < FILES; n++) entries.push(file(`d/f${n}`, body(n)));
    await expect(store.applyLayer(Readable.from([tarOf([...entries, ...below])]))).rejects.toMatchObject({ code: "LAYER_BAD_ENTRY" });
  }
});

it("reports the worker's first failure with its call and path, and still closes every file", async () => {
  const { WriteBehind } = await import("../../provider/linux/images/write-behind.js");
  const dir = temp.make("wb-fail");
  const source = join(dir, "source");
  writeFileSync(source, "0123456789");
  const when = new Date(1_600_000_000_000);

  const missingParent = new WriteBehind();
  expect(missingParent.submit(join(dir, "ok"), 0o644, [Buffer.from("fine")], 4, when, when)).toBe(true);
  expect(missingParent.submit(join(dir, "no/such/dir/f"), 0o644, [Buffer.from("x")], 1, when, when)).toBe(true);
  expect(() => missingParent.close()).toThrow(expect.objectContaining({ code: "SYSCALL", call: "open", path: join(dir, "no/such/dir/f") }));
  expect(readFileSync(join(dir, "ok"), "utf8")).toBe("fine");

  const pastTheEnd = new WriteBehind(source);
  expect(pastTheEnd.submitFromSource(join(dir, "copied"), 0o644, 2, 5, when, when)).toBe(true);
  expect(pastTheEnd.submitFromSource(join(dir, "short"), 0o644, 8, 5, when, when)).toBe(true); // only 2 bytes are there
  expect(() => pastTheEnd.close()).toThrow(expect.objectContaining({ call: "sendfile", path: join(dir, "short") }));
  expect(readFileSync(join(dir, "copied"), "utf8")).toBe("23456");
  expect(statSync(join(dir, "copied")).mtimeMs).toBe(when.getTime());
});
