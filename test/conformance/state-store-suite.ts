/**
 * One suite every StateStore passes (SQLite, PostgreSQL): round trips, serial and lineage, pending
 * operations, exclusive locks naming their holder, history.
 */
import { describe, expect, it } from "vitest";
import type { ResourceState } from "../../core/model/types.js";
import type { StateStore } from "../../core/state-store.js";
import type { HistoryEntry } from "../../state/sqlite/sqlite-store.js";

export interface StoreFactory {
  /** A fresh, empty store (its own file or database namespace). Calling `again` opens a second handle on the same one. */
  open(): Promise<{ store: StateStore & HistoryStore; again: () => Promise<StateStore> }>;
}

interface HistoryStore {
  appendHistory(entry: HistoryEntry): Promise<void>;
  history(stack: string): Promise<HistoryEntry[]>;
}

const web: ResourceState = {
  urn: "container.web", kind: "container", name: "web", id: "abc",
  inputs: { image: { $ref: "image.busybox" }, limits: { memory: "64Mi", cpus: 0.5 }, command: ["httpd", "-f"] },
  outputs: { pid: 42, ipAddresses: { net: "10.0.0.2" } }, dependsOn: ["image.busybox"],
};

export function stateStoreSuite(name: string, factory: StoreFactory): void {
  describe(`state store conformance: ${name}`, () => {
    const stack = () => `s${Math.random().toString(36).slice(2, 8)}`;

    it("returns an empty state for an unknown stack", async () => {
      const { store } = await factory.open();
      const state = await store.load(stack());
      expect(state).toMatchObject({ serial: 0, resources: [], pending: [] });
      await store.close();
    });

    it("round-trips resources and grows serial by one per write, keeping lineage", async () => {
      const { store } = await factory.open();
      const s = stack();
      await store.putResource(s, web);
      const one = await store.load(s);
      expect(one.resources).toEqual([web]);
      expect(one.serial).toBe(1);
      await store.putResource(s, { ...web, outputs: { pid: 43 } });
      await store.deleteResource(s, "container.web");
      const three = await store.load(s);
      expect(three.serial).toBe(3);
      expect(three.lineage).toBe(one.lineage);
      expect(three.resources).toEqual([]);
      expect(await store.stacks()).toContain(s);
      await store.close();
    });

    it("records and clears pending operations", async () => {
      const { store } = await factory.open();
      const s = stack();
      const op = { urn: "container.web" as const, op: "create" as const, id: "abc", startedAt: "t", props: { a: 1 } };
      await store.addPending(s, op);
      expect((await store.load(s)).pending).toEqual([op]);
      await store.clearPending(s, "container.web");
      expect((await store.load(s)).pending).toEqual([]);
      await store.close();
    });

    it("lets one holder lock a stack and names it to the next", async () => {
      const { store, again } = await factory.open();
      const other = await again();
      const s = stack();
      const lock = await store.lock(s, "apply");
      await expect(other.lock(s, "apply")).rejects.toThrow(/locked by .* \(pid \d+ on .*apply since/);
      await lock.release();
      await (await other.lock(s, "apply")).release();
      await other.close();
      await store.close();
    });

    it("keeps history in order", async () => {
      const { store } = await factory.open();
      const s = stack();
      const entry = { stack: s, startedAt: "a", finishedAt: "b", user: "me", command: "apply", summary: { create: 1 }, result: "ok" };
      await store.appendHistory(entry);
      await store.appendHistory({ ...entry, result: "failed" });
      expect((await store.history(s)).map((h) => h.result)).toEqual(["ok", "failed"]);
      await store.close();
    });
  });
}
