/**
 * A writer SIGKILLed in the middle of its writes leaves a SQLite state file that passes integrity_check,
 * holds every write it reported committed, and whose serial still counts exactly the writes in it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openSqliteStore } from "../../state/sqlite/sqlite-store.js";
import { startStateChild } from "../conformance/state-store-suite.js";

const dir = mkdtempSync(join(tmpdir(), "cinfra-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each write adds one volume row (with a payload spanning overflow pages) and reports it after commit.
const writer = `
  import { SqliteStore } from "./state/sqlite/sqlite-store.ts";
  const store = new SqliteStore(process.env.CHILD_URL);
  const payload = "p".repeat(6000);
  for (let i = Number(process.env.CHILD_FROM); ; i++) {
    await store.putResource("crash", { urn: "volume.v" + i, kind: "volume", name: "v" + i, id: String(i), inputs: { payload }, outputs: {}, dependsOn: [] });
    process.stdout.write(i + "\\n");
  }`;

it("survives SIGKILL mid-write, three times over", async () => {
  const path = join(dir, "state.db");
  let next = 0;
  for (let round = 0; round < 3; round++) {
    const child = await startStateChild(writer, { CHILD_URL: path, CHILD_FROM: String(next) });
    await child.line((l) => Number(l) >= next + 150);
    await child.kill();
    const lastReported = Number(child.lines.at(-1));

    const store = await openSqliteStore(path);
    expect(store.integrityCheck()).toBe("ok");
    const state = await store.load("crash");
    expect(state.resources.some((r) => r.urn === `volume.v${lastReported}`)).toBe(true);
    // Rows and serial are one transaction: every committed write is both, a torn one neither.
    expect(state.serial).toBe(state.resources.length);
    expect(state.resources.length).toBeGreaterThanOrEqual(lastReported + 1);
    expect(state.resources.length).toBeLessThanOrEqual(lastReported + 2);
    next = state.resources.length;
    await store.close();
  }
});
