import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../../state/sqlite/sqlite-store.js";
import type { ResourceState } from "../../core/model/types.js";

const dirs: string[] = [];
const open = () => {
  const dir = mkdtempSync(join(tmpdir(), "cinfra-state-"));
  dirs.push(dir);
  return join(dir, "state.db");
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const web: ResourceState = {
  urn: "container.web", kind: "container", name: "web", id: "abc",
  inputs: { image: { $ref: "image.busybox" }, limits: { memory: "64Mi" } }, outputs: { pid: 42 }, dependsOn: ["image.busybox"],
};

describe("sqlite state store", () => {
  it("round-trips resources and grows serial by one per write, keeping lineage", async () => {
    const store = new SqliteStore(open());
    const empty = await store.load("demo");
    expect(empty.serial).toBe(0);
    await store.putResource("demo", web);
    const one = await store.load("demo");
    expect(one.resources).toEqual([web]);
    expect(one.serial).toBe(1);
    await store.deleteResource("demo", "container.web");
    const two = await store.load("demo");
    expect(two.serial).toBe(2);
    expect(two.lineage).toBe(one.lineage);
    expect(two.resources).toEqual([]);
    expect(store.integrityCheck()).toBe("ok");
    await store.close();
  });

  it("records and clears pending operations", async () => {
    const store = new SqliteStore(open());
    await store.addPending("demo", { urn: "container.web", op: "create", id: "abc", startedAt: "t", props: { a: 1 } });
    expect((await store.load("demo")).pending).toEqual([{ urn: "container.web", op: "create", id: "abc", startedAt: "t", props: { a: 1 } }]);
    await store.clearPending("demo", "container.web");
    expect((await store.load("demo")).pending).toEqual([]);
  });

  it("lets one holder lock a stack and names it to the next", async () => {
    const path = open();
    const a = new SqliteStore(path);
    const b = new SqliteStore(path);
    const lock = await a.lock("demo", "apply");
    await expect(b.lock("demo", "apply")).rejects.toThrow(/locked by .* \(pid \d+ on .*apply since/);
    await lock.release();
    await (await b.lock("demo", "apply")).release();
  });

  it("takes over a lock whose holder is dead", async () => {
    const path = open();
    const store = new SqliteStore(path);
    const lock = await store.lock("demo", "apply");
    // Forge the holder as a process that cannot exist.
    (store as unknown as { db: { prepare(s: string): { run(...a: unknown[]): void } } }).db.prepare("UPDATE locks SET pid = ?").run(2 ** 22 + 7);
    await expect(new SqliteStore(path).lock("demo", "apply")).resolves.toBeDefined();
    await lock.release();
  });
});
