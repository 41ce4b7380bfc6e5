import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../state/sqlite/sqlite-store.js";
import { stateStoreSuite } from "../conformance/state-store-suite.js";

const dirs: string[] = [];
const freshPath = () => {
  const dir = mkdtempSync(join(tmpdir(), "cinfra-state-"));
  dirs.push(dir);
  return join(dir, "state.db");
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

stateStoreSuite("sqlite", {
  async open() {
    const path = freshPath();
    return { store: new SqliteStore(path), again: async () => new SqliteStore(path) };
  },
});

describe("sqlite specifics", () => {
  it("takes over a lock whose holder is dead", async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    const lock = await store.lock("demo", "apply");
    // Forge the holder as a process that cannot exist.
    (store as unknown as { db: { prepare(s: string): { run(...a: unknown[]): void } } }).db.prepare("UPDATE locks SET pid = ?").run(2 ** 22 + 7);
    await expect(new SqliteStore(path).lock("demo", "apply")).resolves.toBeDefined();
    await lock.release();
  });

  it("passes integrity_check", async () => {
    const store = new SqliteStore(freshPath());
    await store.putResource("s", { urn: "volume.v", kind: "volume", name: "v", id: "1", inputs: {}, outputs: {}, dependsOn: [] });
    expect(store.integrityCheck()).toBe("ok");
  });
});
