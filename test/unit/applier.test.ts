import { describe, expect, it } from "vitest";
import { applyPlan } from "../../core/apply/applier.js";
import { plan } from "../../core/planner/plan.js";
import type { Kind, ResourceState } from "../../core/model/types.js";
import type { KindOperations, Runtime } from "../../core/runtime.js";
import { Container, Image, Network } from "../../core/sdk/index.js";
import { declare } from "../helpers/declare.js";
import { MemoryStore } from "../helpers/memory-store.js";

/** Records the order of runtime calls; `failOn` makes one resource's create throw. */
function recordingRuntime(calls: string[], failOn?: string): Runtime {
  const ops = (kind: Kind): KindOperations => ({
    async create(_ctx, req) {
      calls.push(`create ${req.urn}`);
      await new Promise((r) => setTimeout(r, 1));
      if (req.urn === failOn) throw new Error("boom");
      return { id: req.id, outputs: { kind } };
    },
    async update(_ctx, prior: ResourceState) { calls.push(`update ${prior.urn}`); return prior.outputs; },
    async delete(_ctx, prior) { calls.push(`delete ${prior.urn}`); },
    async read() { return null; },
  });
  return { operations: ops, close: async () => {} };
}

const program = (subnet = "10.89.0.0/24") => declare(() => {
  const image = new Image("busybox", { rootfs: "/rootfs" });
  const net = new Network("net", { subnet });
  new Container("web", { image, networks: [net] });
  new Container("client", { image, networks: [net] });
});

describe("applier", () => {
  it("creates dependencies before dependents and writes state per resource", async () => {
    const store = new MemoryStore();
    const calls: string[] = [];
    const p = plan(program(), await store.load("s"));
    const result = await applyPlan({ ...p, stack: "s" }, { store, runtime: recordingRuntime(calls) });
    expect(result.failed).toEqual([]);
    expect(calls.indexOf("create container.web")).toBeGreaterThan(calls.indexOf("create network.net"));
    expect(store.writes.filter((w) => w.startsWith("pending"))).toHaveLength(4);
    expect((await store.load("s")).resources).toHaveLength(4);
    expect((await store.load("s")).pending).toEqual([]);
  });

  it("replaces dependents around a replaced network: delete containers, network; create network, containers", async () => {
    const store = new MemoryStore();
    await applyPlan({ ...plan(program(), await store.load("s")), stack: "s" }, { store, runtime: recordingRuntime([]) });
    const calls: string[] = [];
    await applyPlan({ ...plan(program("10.90.0.0/24"), await store.load("s")), stack: "s" }, { store, runtime: recordingRuntime(calls) });
    const at = (c: string) => calls.indexOf(c);
    expect(at("delete container.web")).toBeLessThan(at("delete network.net"));
    expect(at("delete network.net")).toBeLessThan(at("create network.net"));
    expect(at("create network.net")).toBeLessThan(at("create container.web"));
    expect(calls).not.toContain("create image.busybox");
  });

  it("skips what depends on a failed create and keeps going elsewhere", async () => {
    const store = new MemoryStore();
    const calls: string[] = [];
    const result = await applyPlan({ ...plan(program(), await store.load("s")), stack: "s" }, { store, runtime: recordingRuntime(calls, "network.net") });
    expect(result.failed.map((f) => f.urn)).toEqual(["network.net"]);
    expect(result.skipped.sort()).toEqual(["container.client", "container.web"]);
    const state = await store.load("s");
    expect(state.resources.map((r) => r.urn)).toEqual(["image.busybox"]);
    expect(state.pending.map((p) => p.urn)).toEqual(["network.net"]);
  });
});
