import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ResourceState } from "../../core/model/types.js";
import { durationText, historyTable, summaryText } from "../../cli/commands/history-command.js";
import { parseExport, STATE_FORMAT, type StateExport } from "../../cli/commands/state-transfer.js";
import { formatRow, shownRow } from "../../cli/commands/state-render.js";
import { SqliteStore } from "../../state/sqlite/sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "cinfra-state-cmd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (urn: ResourceState["urn"], extra: Partial<ResourceState> = {}): ResourceState => {
  const [kind, name] = urn.split(".") as [ResourceState["kind"], string];
  return { urn, kind, name, id: `${name}-id`, inputs: {}, outputs: {}, dependsOn: [], ...extra };
};

const web = row("container.web", { inputs: { image: { $ref: "image.base" }, networks: [{ network: { $ref: "network.net" } }] }, dependsOn: ["image.base", "network.net"] });
const rows = [row("image.base"), row("network.net"), web];

const makeExport = (serial: number): StateExport => ({
  format: STATE_FORMAT, version: 1, exportedAt: "2026-01-01T00:00:00Z", stack: "demo", lineage: "L", serial,
  resources: rows, pending: [], config: [], secretsKey: null,
});

describe("state export file", () => {
  it("round-trips through parseExport", () => {
    const text = JSON.stringify(makeExport(7));
    const parsed = parseExport(text);
    expect(parsed.resources).toEqual(rows);
    expect(parsed).toMatchObject({ stack: "demo", lineage: "L", serial: 7, config: [], secretsKey: null });
  });

  it("names the place of each problem", () => {
    const base = makeExport(1);
    const broken = (change: (f: Record<string, unknown>) => void) => {
      const f = structuredClone(base) as unknown as Record<string, unknown>;
      change(f);
      return () => parseExport(JSON.stringify(f));
    };
    expect(() => parseExport("{nope")).toThrow(/state: is not JSON/);
    expect(broken((f) => { f.format = "terraform"; })).toThrow(/state\.format/);
    expect(broken((f) => { (f.resources as ResourceState[])[2].urn = "container.other"; })).toThrow(/state\.resources\[2\]\.urn/);
    expect(broken((f) => { (f.resources as ResourceState[])[0].kind = "pod" as never; })).toThrow(/state\.resources\[0\]\.kind: "pod"/);
    expect(broken((f) => { (f.resources as ResourceState[]).push(row("image.base")); })).toThrow(/appears twice/);
    expect(broken((f) => { (f.resources as ResourceState[]).splice(1, 1); })).toThrow(/dependsOn\[1\]: network\.net is not in the file/);
    expect(broken((f) => { f.config = [{ key: "k", value: "v1:a:b:c", secret: true, updatedAt: "t" }]; })).toThrow(/secretsKey/);
  });
});

describe("SQLite state repairs", () => {
  it("renames a resource and every reference to it, atomically", async () => {
    const store = new SqliteStore(join(dir, "mv.db"));
    for (const r of rows) await store.putResource("demo", r);
    await store.renameResource("demo", "network.net", "network.backend");
    const state = await store.load("demo");
    expect(state.resources.map((r) => r.urn)).toEqual(["container.web", "image.base", "network.backend"]);
    const moved = state.resources.find((r) => r.urn === "container.web")!;
    expect(moved.dependsOn).toEqual(["image.base", "network.backend"]);
    expect(moved.inputs.networks).toEqual([{ network: { $ref: "network.backend" } }]);
    expect(state.resources.find((r) => r.urn === "network.backend")!.name).toBe("backend");
    await expect(store.renameResource("demo", "network.gone", "network.x")).rejects.toThrow(/no resource network\.gone/);
    await store.close();
  });

  it("replaces a stack's rows and pending operations in one go", async () => {
    const store = new SqliteStore(join(dir, "import.db"));
    for (const r of rows) await store.putResource("demo", r);
    await store.addPending("demo", { urn: "container.web", op: "create", id: "x", startedAt: "t" });
    const before = await store.load("demo");
    await store.replaceResources("demo", [row("volume.data")]);
    const after = await store.load("demo");
    expect(after.resources.map((r) => r.urn)).toEqual(["volume.data"]);
    expect(after.pending).toEqual([]);
    expect(after.lineage).toBe(before.lineage);
    expect(after.serial).toBe(before.serial + 1);
    expect(store.integrityCheck()).toBe("ok");
    await store.close();
  });
});

describe("rendering", () => {
  it("shows sealed secrets as (sensitive) in state show", () => {
    const secret = row("container.db", { inputs: { env: { PASSWORD: { $secret: "v1:a:b:c" }, USER: "app" } } });
    expect(shownRow(secret).inputs).toEqual({ env: { PASSWORD: "(sensitive)", USER: "app" } });
    expect(formatRow("demo", secret)).not.toContain("v1:a:b:c");
  });

  it("summarizes history entries", () => {
    const entry = { stack: "s", startedAt: "2026-01-01T10:00:00.000Z", finishedAt: "2026-01-01T10:00:02.500Z", user: "root@h", command: "apply", summary: { create: 2, update: 1, replace: 0, delete: 3 }, result: "ok" };
    expect(summaryText(entry.summary)).toBe("+2 ~1 -/+0 -3");
    expect(durationText(entry)).toBe("2.5s");
    expect(durationText({ ...entry, finishedAt: null })).toBe("-");
    expect(historyTable([entry])).toContain("2026-01-01 10:00:00Z  root@h  apply    ok      +2 ~1 -/+0 -3  2.5s");
  });
});
