/** protect and retainOnDelete outlive the declaration: state keeps them, and they decide what removal means. */
import { describe, expect, it } from "vitest";
import { applyPlan } from "../../core/apply/applier.js";
import { plan } from "../../core/planner/plan.js";
import { hasChanges, summarize } from "../../core/planner/plan-types.js";
import type { KindOperations, Runtime } from "../../core/runtime.js";
import { Container, Image } from "../../core/sdk/index.js";
import type { ResourceOptions } from "../../core/sdk/types.js";
import { planToJson } from "../../cli/render/plan-json.js";
import { declare } from "../helpers/declare.js";
import { MemoryStore } from "../helpers/memory-store.js";

function runtime(calls: string[]): Runtime {
  let n = 0;
  const ops: KindOperations = {
    async create(_c, req) { calls.push(`create ${req.urn}`); return { id: `obj${n++}`, outputs: {} }; },
    async update(_c, prior) { calls.push(`update ${prior.urn}`); return prior.outputs; },
    async delete(_c, prior) { calls.push(`delete ${prior.urn}`); },
    async read() { return null; },
  };
  return { operations: () => ops, close: async () => {} };
}

const stack = (opts: ResourceOptions) => () => {
  new Container("web", { image: new Image("i", { rootfs: "/r" }), command: ["a"] }, opts);
};

async function applied(store: MemoryStore, calls: string[], program: () => void) {
  const p = { ...plan(declare(program), await store.load("s")), stack: "s" };
  const result = await applyPlan(p, { store, runtime: runtime(calls) });
  expect(result.failed).toEqual([]);
  return p;
}

describe("retainOnDelete and protect", () => {
  it("stores the options with the row and rewrites state alone when only they change", async () => {
    const store = new MemoryStore();
    const calls: string[] = [];
    await applied(store, calls, stack({}));
    expect((await store.load("s")).resources.find((r) => r.urn === "container.web")!.options).toBeUndefined();
    calls.length = 0;
    const p = await applied(store, calls, stack({ retainOnDelete: true }));
    expect(hasChanges(p)).toBe(true);
    expect(calls).toEqual([]);
    expect((await store.load("s")).resources.find((r) => r.urn === "container.web")!.options).toEqual({ retainOnDelete: true });
    expect(hasChanges(plan(declare(stack({ retainOnDelete: true })), await store.load("s")))).toBe(false);
  });

  it("forgets a retained resource and what it needs, deleting nothing", async () => {
    const store = new MemoryStore();
    const calls: string[] = [];
    await applied(store, calls, stack({ retainOnDelete: true }));
    calls.length = 0;
    const p = await applied(store, calls, () => {});
    expect(p.changes.map((c) => [c.urn, c.action, c.keptFor])).toEqual([
      ["container.web", "forget", undefined], ["image.i", "forget", "container.web"],
    ]);
    expect(summarize(p)).toMatchObject({ delete: 0, forget: 2 });
    const json = planToJson(p) as { resource_changes: { change: { actions: string[] }; action_reason: string }[] };
    expect(json.resource_changes.map((r) => [r.change.actions, r.action_reason])).toEqual([
      [["forget"], "forget_because_retain_on_delete"], [["forget"], "forget_because_retained_dependent"],
    ]);
    expect(calls).toEqual([]);
    expect((await store.load("s")).resources).toEqual([]);
  });

  it("refuses to delete a protected resource that left the program, and destroy of it", async () => {
    const store = new MemoryStore();
    await applied(store, [], stack({ protect: true }));
    const state = await store.load("s");
    expect(() => plan(declare(() => void new Image("i", { rootfs: "/r" })), state)).toThrow(/container\.web is protected.*no longer in the program/);
    expect(() => plan([], state)).toThrow(expect.objectContaining({ code: "PROTECTED" }));
  });

  it("lets a protected resource go once protect: false is applied", async () => {
    const store = new MemoryStore();
    const calls: string[] = [];
    await applied(store, calls, stack({ protect: true }));
    await applied(store, calls, stack({ protect: false }));
    calls.length = 0;
    await applied(store, calls, () => {});
    expect(calls.sort()).toEqual(["delete container.web", "delete image.i"]);
  });
});
