import { describe, expect, it } from "vitest";
import { plan } from "../../core/planner/plan.js";
import { targetPlan } from "../../core/planner/target.js";
import { planToJson } from "../../cli/render/plan-json.js";
import { assertFresh } from "../../cli/saved-plan.js";
import type { StackState } from "../../core/model/types.js";
import { Container, Image, Network, Volume } from "../../core/sdk/index.js";
import { declare } from "../helpers/declare.js";

const program = () => declare(() => {
  const image = new Image("busybox", { rootfs: "/rootfs" });
  const net = new Network("net", { subnet: "10.89.0.0/24" });
  new Container("web", { image, networks: [net] });
  new Volume("unrelated");
});
const empty: StackState = { stack: "s", lineage: "L", serial: 0, resources: [], pending: [] };

describe("targeting", () => {
  it("keeps the target and its dependencies, and says what it left out", () => {
    const { plan: narrowed, excluded } = targetPlan(plan(program(), empty), ["container.web"]);
    const acting = narrowed.changes.filter((c) => c.action !== "noop").map((c) => c.urn).sort();
    expect(acting).toEqual(["container.web", "image.busybox", "network.net"]);
    expect(excluded).toEqual(["volume.unrelated"]);
  });
});

describe("plan json", () => {
  it("has terraform-like actions, after_unknown and replace paths", () => {
    const json = planToJson(plan(program(), empty)) as { resource_changes: { address: string; change: { actions: string[]; after_unknown: Record<string, boolean> } }[] };
    const web = json.resource_changes.find((r) => r.address === "container.web")!;
    expect(web.change.actions).toEqual(["create"]);
    expect(web.change.after_unknown.ipAddresses).toBe(true);
  });
});

describe("saved plan freshness", () => {
  const p = plan(program(), { ...empty, serial: 3 });
  it("accepts the state it was made against", () => {
    expect(() => assertFresh(p, { ...empty, serial: 3 }, "plan.bin")).not.toThrow();
  });
  it("refuses it once state moved or was replaced", () => {
    expect(() => assertFresh(p, { ...empty, serial: 4 }, "plan.bin")).toThrow(/saved plan is stale/);
    expect(() => assertFresh(p, { ...empty, serial: 3, lineage: "other" }, "plan.bin")).toThrow(/saved plan is stale/);
  });
});
