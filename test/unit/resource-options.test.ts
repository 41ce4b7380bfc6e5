import { describe, expect, it } from "vitest";
import { applyPlan } from "../../core/apply/applier.js";
import { plan } from "../../core/planner/plan.js";
import type { KindOperations, Runtime } from "../../core/runtime.js";
import { Container, Image, Network } from "../../core/sdk/index.js";
import { declare } from "../helpers/declare.js";
import { MemoryStore } from "../helpers/memory-store.js";

function runtime(calls: string[]): Runtime {
  let n = 0;
  const ops: KindOperations = {
    async create(_c, req) { calls.push(`create ${req.urn}`); return { id: `obj${n++}`, outputs: {} }; },
    async update(_c, prior) { calls.push(`update ${prior.urn}`); return prior.outputs; },
    async delete(_c, prior) { calls.push(`delete ${prior.urn} ${prior.id}`); },
    async read() { return null; },
  };
  return { operations: () => ops, close: async () => {} };
}

async function applyProgram(store: MemoryStore, calls: string[], program: () => void) {
  const p = plan(declare(program), await store.load("s"));
  const result = await applyPlan({ ...p, stack: "s" }, { store, runtime: runtime(calls) });
  expect(result.failed).toEqual([]);
  return p;
}

describe("resource options", () => {
  it("replaces a container create-before-delete, keeping the successor's row", async () => {
    const store = new MemoryStore();
    const calls: string[] = [];
    const v1 = (cmd: string) => () => { new Container("web", { image: new Image("i", { rootfs: "/r" }), command: [cmd] }); };
    await applyProgram(store, calls, v1("a"));
    const oldId = (await store.load("s")).resources.find((r) => r.urn === "container.web")!.id;
    calls.length = 0;
    const p = await applyProgram(store, calls, v1("b"));
    expect(p.changes.find((c) => c.urn === "container.web")!.deleteBeforeReplace).toBe(false);
    expect(calls).toEqual(["create container.web", `delete container.web ${oldId}`]);
    const state = await store.load("s");
    expect(state.resources.find((r) => r.urn === "container.web")!.id).not.toBe(oldId);
    expect(state.pending).toEqual([]);
  });

  it("deletes first when the container holds a static IP, or when asked", async () => {
    const program = (ip: string, cmd: string) => () => {
      const net = new Network("n", { subnet: "10.1.0.0/24" });
      new Container("web", { image: new Image("i", { rootfs: "/r" }), command: [cmd], networks: [{ network: net, ipv4: ip }] });
    };
    const store = new MemoryStore();
    await applyProgram(store, [], program("10.1.0.5", "a"));
    const p = plan(declare(program("10.1.0.5", "b")), await store.load("s"));
    expect(p.changes.find((c) => c.urn === "container.web")!.deleteBeforeReplace).toBe(true);
  });

  it("renames through aliases without touching the object", async () => {
    const store = new MemoryStore();
    const calls: string[] = [];
    await applyProgram(store, calls, () => void new Image("old", { rootfs: "/r" }));
    calls.length = 0;
    await applyProgram(store, calls, () => void new Image("new", { rootfs: "/r" }, { aliases: ["old"] }));
    expect(calls).toEqual([]);
    expect((await store.load("s")).resources.map((r) => r.urn)).toEqual(["image.new"]);
  });

  it("forces replacement of live-updatable props listed in replaceOnChanges", () => {
    const program = (memory: string) => declare(() => {
      new Container("web", { image: new Image("i", { rootfs: "/r" }), limits: { memory } }, { replaceOnChanges: ["limits.memory"] });
    });
    const prior = program("64Mi");
    const state = {
      stack: "s", lineage: "l", serial: 1, pending: [],
      resources: prior.map((d) => ({ urn: d.urn, kind: d.kind, name: d.name, id: "x", inputs: d.props, outputs: {}, dependsOn: d.dependsOn })),
    };
    expect(plan(program("96Mi"), state).changes.find((c) => c.urn === "container.web")!.action).toBe("replace");
  });
});
