/** The state-store conformance suite on SQLite files, plus what only a file can get wrong: damage, migrations, pid reuse. */
import { mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore, SqliteStore } from "../../state/sqlite/sqlite-store.js";
import { MIGRATIONS } from "../../state/sqlite/migrations.js";
import { stateStoreSuite } from "../conformance/state-store-suite.js";

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "cinfra-state-"));
  dirs.push(dir);
  return dir;
};
const freshPath = () => join(freshDir(), "state.db");
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

stateStoreSuite("sqlite", {
  async open() {
    const path = freshPath();
    return { store: await openSqliteStore(path), again: () => openSqliteStore(path), url: path };
  },
});

describe("sqlite state file", () => {
  it("creates parent directories, WAL mode, and numbered migrations applied once", async () => {
    const path = join(freshDir(), "a", "b", "state.db");
    await (await openSqliteStore(path)).close();
    await (await openSqliteStore(path)).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    const versions = (db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as { version: number }[]).map((r) => r.version);
    expect(versions).toEqual(MIGRATIONS.map((_, i) => i + 1));
    db.close();
  });

  it("upgrades a file written before migration 4: its rows read back without options, new ones keep theirs", async () => {
    const path = freshPath();
    const db = new Database(path);
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    MIGRATIONS.slice(0, 3).forEach((sql, i) => {
      db.exec(sql);
      db.prepare("INSERT INTO schema_migrations VALUES (?, ?)").run(i + 1, "t");
    });
    db.prepare("INSERT INTO stacks VALUES ('s', 'l', 1)").run();
    db.prepare("INSERT INTO resources VALUES ('s', 'volume.v', 'volume', 'v', '1', '{}', '{}', '[]', 't')").run();
    db.close();
    const store = await openSqliteStore(path);
    try {
      expect((await store.load("s")).resources).toEqual([{ urn: "volume.v", kind: "volume", name: "v", id: "1", inputs: {}, outputs: {}, dependsOn: [] }]);
      await store.putResource("s", { urn: "volume.w", kind: "volume", name: "w", id: "2", inputs: {}, outputs: {}, dependsOn: [], options: { protect: true } });
      expect((await store.load("s")).resources[1].options).toEqual({ protect: true });
    } finally {
      await store.close();
    }
  });

  it("refuses a file that is not a database as STATE_CORRUPT, naming it", async () => {
    const path = freshPath();
    writeFileSync(path, "this is not sqlite, just some text that is long enough to have a header ".repeat(20));
    await expect(openSqliteStore(path)).rejects.toMatchObject({ code: "STATE_CORRUPT", message: expect.stringContaining(path) });
  });

  it("reports a path it cannot open as STATE_IO, naming it", async () => {
    const dir = freshDir();
    mkdirSync(join(dir, "state.db"));
    await expect(openSqliteStore(join(dir, "state.db"))).rejects.toMatchObject({ code: "STATE_IO", message: expect.stringContaining("state.db") });
    writeFileSync(join(dir, "file"), "");
    await expect(openSqliteStore(join(dir, "file", "state.db"))).rejects.toMatchObject({ code: "STATE_IO" });
  });

  it("notices damaged pages: integrityCheck says so and reads fail with STATE_CORRUPT", async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    const payload = "x".repeat(3000);
    for (let i = 0; i < 200; i++) await store.putResource("s", { ...volumeRow(i), inputs: { payload } });
    await store.close();
    const size = statSync(path).size;
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.alloc(size / 4, 0xa5), 0, size / 4, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    const damaged = await openSqliteStore(path);
    expect(damaged.integrityCheck()).not.toBe("ok");
    await expect(damaged.load("s")).rejects.toMatchObject({ code: "STATE_CORRUPT", message: expect.stringContaining(path) });
    await damaged.close();
  });

  it("reports a row whose JSON was damaged outside cinfra as STATE_CORRUPT", async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    await store.putResource("s", volumeRow(1));
    const db = new Database(path);
    db.prepare("UPDATE resources SET inputs = '{broken'").run();
    db.close();
    await expect(store.load("s")).rejects.toMatchObject({ code: "STATE_CORRUPT", message: expect.stringContaining(path) });
    await store.close();
  });

  it("treats a lock whose pid now belongs to a later process as stale", async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    const lock = await store.lock("demo", "apply");
    const db = new Database(path);
    db.prepare("UPDATE locks SET pid_start = 'another-boot:1'").run();
    db.close();
    const next = await new SqliteStore(path).lock("demo", "apply");
    expect(next.takenOverFrom).toMatchObject({ pid: process.pid, acquiredAt: lock.info.acquiredAt });
    await lock.release(); // the stale handle must not remove the new holder's row
    await expect(new SqliteStore(path).lock("demo", "apply")).rejects.toMatchObject({ code: "STATE_LOCKED" });
    await next.release();
  });
});

function volumeRow(i: number) {
  return { urn: `volume.v${i}` as const, kind: "volume" as const, name: `v${i}`, id: `${i}`, inputs: {}, outputs: {}, dependsOn: [] };
}
