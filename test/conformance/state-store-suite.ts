/**
 * One suite every state store passes (SQLite, PostgreSQL): round trips, serial and lineage, pending
 * operations, exclusive locks naming their holder (and taken over from a killed one), history,
 * export/import and rename.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import type { ResourceState, Urn } from "../../core/model/types.js";
import type { FullStateStore } from "../../state/store-extras.js";

export interface StoreFactory {
  /**
   * A store on a fresh or shared backend; `again` opens a second handle on the same one, and `url` names it
   * for openStateStore in a child process.
   */
  open(): Promise<{ store: FullStateStore; again: () => Promise<FullStateStore>; url: string }>;
}

const web: ResourceState = {
  urn: "container.web", kind: "container", name: "web", id: "abc",
  inputs: { image: { $ref: "image.busybox" }, limits: { memory: "64Mi", cpus: 0.5 }, command: ["httpd", "-f"], env: { A: "1", B: null } },
  outputs: { pid: 42, ipAddresses: { net: "10.0.0.2" }, nested: [{ deep: [1, true, "x"] }] }, dependsOn: ["image.busybox"],
  options: { protect: true, retainOnDelete: true },
};
const busybox: ResourceState = { urn: "image.busybox", kind: "image", name: "busybox", id: "sha256:1", inputs: { ref: "busybox" }, outputs: {}, dependsOn: [] };
const volume = (i: number): ResourceState => ({ urn: `volume.v${i}`, kind: "volume", name: `v${i}`, id: `${i}`, inputs: {}, outputs: {}, dependsOn: [] });
const stackName = () => `s${Math.random().toString(36).slice(2, 10)}`;

export function stateStoreSuite(name: string, factory: StoreFactory): void {
  describe(`state store conformance: ${name}`, () => {
    /** Run `body` with a store (and the factory's extras), closing every handle it opened. */
    const using = async (body: (store: FullStateStore, again: () => Promise<FullStateStore>, url: string) => Promise<void>) => {
      const { store, again, url } = await factory.open();
      const opened: FullStateStore[] = [store];
      try {
        await body(store, async () => { const s = await again(); opened.push(s); return s; }, url);
      } finally {
        for (const s of opened) await s.close();
      }
    };

    it("returns an empty state with a fresh lineage for an unknown stack, without writing it", () => using(async (store) => {
      const s = stackName();
      const state = await store.load(s);
      expect(state).toMatchObject({ stack: s, serial: 0, resources: [], pending: [] });
      expect(state.lineage).toMatch(/^[0-9a-f-]{36}$/);
      expect(await store.stacks()).not.toContain(s);
    }));

    it("round-trips resources with nested props and refs, ordered by urn", () => using(async (store, again) => {
      const s = stackName();
      await store.putResource(s, web);
      await store.putResource(s, busybox);
      expect((await store.load(s)).resources).toEqual([web, busybox]);
      expect((await (await again()).load(s)).resources).toEqual([web, busybox]);
    }));

    it("keeps protect and retainOnDelete with the row, only when set, and forgets them when cleared", () => using(async (store, again) => {
      const s = stackName();
      await store.putResource(s, { ...busybox, options: { retainOnDelete: true } });
      await store.putResource(s, { ...volume(1), options: { protect: false, retainOnDelete: false } });
      expect((await (await again()).load(s)).resources).toEqual([{ ...busybox, options: { retainOnDelete: true } }, volume(1)]);
      await store.putResource(s, busybox);
      const [row] = (await store.load(s)).resources;
      expect(row).toEqual(busybox);
      expect("options" in row).toBe(false);
    }));

    it("grows serial by exactly one per write and keeps the lineage", () => using(async (store) => {
      const s = stackName();
      const writes: (() => Promise<void>)[] = [
        () => store.putResource(s, busybox), () => store.putResource(s, web), () => store.putResource(s, { ...web, outputs: { pid: 43 } }),
        () => store.addPending(s, { urn: "volume.v1", op: "create", id: "1", startedAt: "t" }), () => store.clearPending(s, "volume.v1"),
        () => store.renameResource(s, "container.web", "container.www"), () => store.deleteResource(s, "container.www"),
        () => store.replaceResources(s, [busybox, volume(1)]),
      ];
      const first = await store.load(s);
      let lineage: string | null = null;
      for (const [i, write] of writes.entries()) {
        await write();
        const state = await store.load(s);
        expect(state.serial).toBe(first.serial + i + 1);
        lineage ??= state.lineage;
        expect(state.lineage).toBe(lineage);
      }
      expect(await store.stacks()).toContain(s);
    }));

    it("counts every write of two handles writing at once", () => using(async (store, again) => {
      const s = stackName();
      const other = await again();
      await Promise.all([...Array(10).keys()].flatMap((i) => [store.putResource(s, volume(i)), other.putResource(s, volume(100 + i))]));
      const state = await store.load(s);
      expect(state.serial).toBe(20);
      expect(state.resources).toHaveLength(20);
    }));

    it("deletes one resource and leaves the others", () => using(async (store) => {
      const s = stackName();
      await store.putResource(s, web);
      await store.putResource(s, busybox);
      await store.deleteResource(s, "container.web");
      expect((await store.load(s)).resources).toEqual([busybox]);
    }));

    it("records, replaces and clears pending operations", () => using(async (store) => {
      const s = stackName();
      const op = { urn: "container.web" as const, op: "create" as const, id: "abc", startedAt: "2026-01-01T00:00:00Z", props: { a: { b: [1] } } };
      await store.addPending(s, op);
      await store.addPending(s, { urn: "volume.v1", op: "delete", id: "1", startedAt: "t" });
      expect((await store.load(s)).pending).toEqual([op, { urn: "volume.v1", op: "delete", id: "1", startedAt: "t" }]);
      await store.addPending(s, { ...op, op: "update" });
      await store.clearPending(s, "volume.v1");
      expect((await store.load(s)).pending).toEqual([{ ...op, op: "update" }]);
      await store.clearPending(s, "container.web");
      expect((await store.load(s)).pending).toEqual([]);
    }));

    it("lets one holder lock a stack and names it to the next; release is idempotent", () => using(async (store, again) => {
      const other = await again();
      const s = stackName();
      const lock = await store.lock(s, "apply");
      expect(lock.takenOverFrom).toBeNull();
      expect(lock.info).toMatchObject({ pid: process.pid, operation: "apply" });
      const refused = await other.lock(s, "destroy").catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: "STATE_LOCKED" });
      expect((refused as Error).message).toContain(`locked by ${lock.info.holder} (pid ${process.pid} on ${lock.info.host}, apply since ${lock.info.acquiredAt})`);
      await expect(other.lock(s, "apply", { timeoutMs: 300 })).rejects.toMatchObject({ code: "STATE_LOCKED" });
      await (await other.lock(stackName(), "apply")).release(); // other stacks stay free
      await lock.release();
      await lock.release();
      const next = await other.lock(s, "apply");
      expect(next.takenOverFrom).toBeNull();
      await next.release();
    }));

    it("waits for a held lock when given a timeout", () => using(async (store, again) => {
      const other = await again();
      const s = stackName();
      const lock = await store.lock(s, "apply");
      const waiting = other.lock(s, "apply", { timeoutMs: 30_000 });
      setTimeout(() => void lock.release(), 300);
      const next = await waiting;
      expect(next.info.operation).toBe("apply");
      await next.release();
    }));

    it("takes over the lock of a holder that was killed, and says so", () => using(async (store, _again, url) => {
      const s = stackName();
      const child = await startStateChild(
        `import { openStateStore } from "./state/open.ts";
         const store = await openStateStore(process.env.CHILD_URL);
         await store.lock(process.env.CHILD_STACK, "apply");
         process.stdout.write("locked\\n");
         setInterval(() => undefined, 60_000);`,
        { CHILD_URL: url, CHILD_STACK: s },
      );
      try {
        await child.line((l) => l === "locked");
        await expect(store.lock(s, "apply")).rejects.toMatchObject({ code: "STATE_LOCKED" });
      } finally {
        await child.kill();
      }
      const lock = await store.lock(s, "apply", { timeoutMs: 30_000 });
      expect(lock.takenOverFrom).toMatchObject({ pid: child.pid, operation: "apply" });
      await lock.release();
    }));

    it("keeps history in order, whole", () => using(async (store) => {
      const s = stackName();
      const entry = { stack: s, startedAt: "a", finishedAt: "b", user: "me", command: "apply", summary: { create: 1, urns: ["x"] }, result: "ok" };
      await store.appendHistory(entry);
      await store.appendHistory({ ...entry, finishedAt: null, result: "failed" });
      await store.appendHistory({ ...entry, stack: stackName() });
      expect(await store.history(s)).toEqual([entry, { ...entry, finishedAt: null, result: "failed" }]);
    }));

    it("exports a stack and imports it, as JSON, into another", () => using(async (store) => {
      const s = stackName();
      await store.putResource(s, busybox);
      await store.putResource(s, web);
      await store.addPending(s, { urn: "volume.v1", op: "create", id: "1", startedAt: "t", props: { x: 1 } });
      await store.setSecretsKey(s, { kdf: "hkdf", salt: "c2FsdA==", check: "v1:check" });
      await store.setConfig(s, { key: "db.password", value: "v1:sealed", secret: true, updatedAt: "t" });
      const file = JSON.parse(JSON.stringify(await store.exportStack(s)));
      const before = await store.load(s);
      expect(file).toMatchObject({ format: "cinfra-state", version: 1, stack: s, lineage: before.lineage, serial: before.serial });

      const copy = stackName();
      await store.putResource(copy, volume(9));
      for (let i = 0; i < 5; i++) await store.putResource(copy, volume(i));
      await store.importStack(file, { stack: copy });
      const imported = await store.load(copy);
      expect(imported).toMatchObject({ lineage: before.lineage, serial: 7, resources: before.resources, pending: before.pending });
      expect(await store.listConfig(copy)).toEqual(await store.listConfig(s));
      expect(await store.secretsKey(copy)).toEqual(await store.secretsKey(s));

      const fresh = stackName();
      await store.importStack({ ...file, stack: fresh });
      expect((await store.load(fresh)).serial).toBe(before.serial + 1);
      expect(await store.integrityCheck()).toBe("ok");
    }));

    it("renames a resource, moving every reference to it", () => using(async (store) => {
      const s = stackName();
      await store.putResource(s, busybox);
      await store.putResource(s, web);
      await store.renameResource(s, "image.busybox", "image.base");
      const state = await store.load(s);
      expect(state.resources.map((r) => r.urn)).toEqual(["container.web", "image.base"]);
      expect(state.resources[0]).toMatchObject({ inputs: { image: { $ref: "image.base" } }, dependsOn: ["image.base"] });
      expect(state.resources[1]).toMatchObject({ name: "base", id: "sha256:1" });
      const failure = (from: Urn, to: Urn) => store.renameResource(s, from, to).catch((e: unknown) => (e as { code: string }).code);
      expect(await failure("image.gone", "image.x")).toBe("STATE_NO_RESOURCE");
      expect(await failure("image.base", "container.web")).toBe("STATE_MV_KIND");
      await store.putResource(s, { ...busybox, urn: "image.other", name: "other" });
      expect(await failure("image.base", "image.other")).toBe("STATE_EXISTS");
      expect((await store.load(s)).serial).toBe(state.serial + 1);
    }));
  });
}

const repoRoot = join(import.meta.dirname, "../..");

export interface StateChild {
  readonly pid: number;
  /** The first stdout line matching `match` (rejects when the child exits first). */
  line(match: (line: string) => boolean): Promise<string>;
  /** Complete stdout lines so far. */
  readonly lines: readonly string[];
  /** SIGKILL (when still running) and wait until its output is closed. */
  kill(): Promise<void>;
}

/**
 * Run a TypeScript snippet in a separate node process, importing the repo's sources by path from the
 * repo root (`./state/…ts`); bundled by esbuild, dependencies resolved from the repo's node_modules.
 */
export async function startStateChild(source: string, env: Record<string, string>): Promise<StateChild> {
  const bundle = await build({
    stdin: { contents: source, resolveDir: repoRoot, loader: "ts", sourcefile: "state-child.ts" },
    bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", write: false, logLevel: "silent",
  });
  const child = spawn(process.execPath, ["--input-type=module", "-e", bundle.outputFiles[0].text], {
    cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => { stderr += chunk; });
  const closed = new Promise<void>((resolve) => child.on("close", () => {
    for (const wake of waiters) wake();
    resolve();
  }));
  return {
    pid: child.pid ?? 0,
    lines,
    line: (match) => new Promise((resolve, reject) => {
      const check = () => {
        const found = lines.find(match);
        if (found !== undefined) resolve(found);
        else if (child.exitCode !== null || child.signalCode !== null) reject(new Error(`child exited (${child.exitCode ?? child.signalCode}): ${stderr}`));
        else return;
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await closed;
    },
  };
}
