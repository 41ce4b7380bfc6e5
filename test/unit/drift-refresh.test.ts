import { describe, expect, it } from "vitest";
import { acceptReality, explainRefreshPlan, refreshedState, unmanagedUrn } from "../../core/drift/refresh.js";
import type { DriftFinding, OwnedObject } from "../../core/drift/compare.js";
import { plan } from "../../core/planner/plan.js";
import type { DesiredResource, ResourceState, StackState, Urn } from "../../core/model/types.js";
import type { LiveResource } from "../../core/runtime.js";
import { Container, Image, Network } from "../../core/sdk/index.js";
import { declare } from "../helpers/declare.js";

function program(): DesiredResource[] {
  return declare(() => {
    const image = new Image("busybox", { rootfs: "/rootfs" });
    const net = new Network("net", { subnet: "10.89.0.0/24" });
    new Container("web", { image, command: ["sleep", "1"], limits: { memory: "64Mi" }, networks: [net] });
    new Container("worker", { image, command: ["sleep", "2"] });
  });
}

function applied(desired: DesiredResource[]): StackState {
  const resources: ResourceState[] = desired.map((d) => ({
    urn: d.urn, kind: d.kind, name: d.name, id: `id-${d.name}`, inputs: d.props, outputs: { id: `id-${d.name}` }, dependsOn: d.dependsOn,
  }));
  return { stack: "demo", lineage: "l", serial: 4, resources, pending: [] };
}

function liveOf(state: StackState, edit: (urn: Urn, live: LiveResource) => LiveResource | null) {
  return new Map(state.resources.map((r) => {
    const live: LiveResource = { id: r.id, props: structuredClone(r.inputs), outputs: { ...r.outputs }, status: r.kind === "container" ? "running" : undefined };
    return [r.urn, edit(r.urn, live)] as const;
  }));
}

const actions = (p: ReturnType<typeof plan>) => Object.fromEntries(p.changes.map((c) => [c.urn, c.action]));

describe("apply --refresh: planning from the host", () => {
  const desired = program();
  const state = applied(desired);

  it("rewrites a changed live-updatable limit in place", () => {
    const live = liveOf(state, (urn, l) => (urn === "container.web" ? { ...l, props: { ...l.props, limits: { memory: "80Mi" } } } : l));
    const refreshed = refreshedState({ state, live });
    const p = plan(desired, refreshed.state, { replace: [...refreshed.replace.keys()] });
    expect(actions(p)["container.web"]).toBe("update");
    const attr = p.changes.find((c) => c.urn === "container.web")!.attributes[0];
    expect([attr.path, attr.before, attr.after]).toEqual(["limits.memory", "80Mi", "64Mi"]);
  });

  it("replaces a stopped container, saying why", () => {
    const live = liveOf(state, (urn, l) => (urn === "container.worker" ? { ...l, status: "exited", outputs: { exitCode: 137 } } : l));
    const refreshed = refreshedState({ state, live });
    const p = explainRefreshPlan(plan(desired, refreshed.state, { replace: [...refreshed.replace.keys()] }), refreshed.replace);
    const worker = p.changes.find((c) => c.urn === "container.worker")!;
    expect(worker.action).toBe("replace");
    expect(worker.replaceReasons).toEqual(["stopped (exit code 137)"]);
    expect(actions(p)["container.web"]).toBe("noop");
  });

  it("recreates a gone network and replaces what is attached to it", () => {
    const live = liveOf(state, (urn, l) => (urn === "network.net" ? null : l));
    const refreshed = refreshedState({ state, live });
    const p = explainRefreshPlan(plan(desired, refreshed.state, { replace: [...refreshed.replace.keys()] }), refreshed.replace);
    expect(actions(p)).toMatchObject({ "network.net": "replace", "container.web": "replace", "container.worker": "noop" });
    expect(p.changes.find((c) => c.urn === "network.net")!.replaceReasons).toEqual(["gone from the host"]);
  });

  it("replaces a container whose veth is gone (a host probe)", () => {
    const probe: DriftFinding = { urn: "container.web", kind: "container", name: "web", status: "changed", attribute: "network.net.hostInterface", expected: "cinfrav1", actual: null };
    const refreshed = refreshedState({ state, live: liveOf(state, (_u, l) => l), probes: [probe] });
    const p = explainRefreshPlan(plan(desired, refreshed.state, { replace: [...refreshed.replace.keys()] }), refreshed.replace);
    expect(p.changes.find((c) => c.urn === "container.web")!.replaceReasons).toEqual(["network.net.hostInterface is gone, expected cinfrav1"]);
  });

  it("keeps a --replace the user asked for next to the refresh reason", () => {
    const live = liveOf(state, (urn, l) => (urn === "container.web" ? { ...l, status: "dead" } : l));
    const refreshed = refreshedState({ state, live });
    const p = explainRefreshPlan(plan(desired, refreshed.state, { replace: ["container.web", ...refreshed.replace.keys()] }), refreshed.replace, ["container.web"]);
    expect(p.changes.find((c) => c.urn === "container.web")!.replaceReasons).toEqual(["requested with --replace", "stopped"]);
  });

  it("deletes unmanaged objects claiming the stack, containers before their networks; leaves lone veths", () => {
    const net: OwnedObject = { stack: "demo", kind: "network", name: "net", id: "n1", where: "/lib/networks/n1" };
    const rogue: OwnedObject = { stack: "demo", kind: "container", name: "rogue", id: "c1", where: "/lib/containers/c1", uses: ["n1"] };
    const veth: OwnedObject = { stack: "demo", kind: "container", name: "ghost", id: "cinfrav9", where: "link cinfrav9", link: "cinfrav9" };
    const bridge: OwnedObject = { stack: "demo", kind: "network", name: "old", id: "cinfrab9", where: "link cinfrab9", link: "cinfrab9" };
    const refreshed = refreshedState({ state, live: liveOf(state, (_u, l) => l), unmanaged: [net, rogue, veth, bridge] });
    expect(refreshed.untouched).toEqual([veth]);
    const p = plan(desired, refreshed.state);
    expect(actions(p)).toMatchObject({ [unmanagedUrn(net)]: "delete", [unmanagedUrn(rogue)]: "delete", [unmanagedUrn(bridge)]: "delete" });
    expect(refreshed.state.resources.find((r) => r.urn === unmanagedUrn(rogue))!.dependsOn).toEqual([unmanagedUrn(net)]);
    expect(refreshed.state.resources.find((r) => r.urn === unmanagedUrn(bridge))!.outputs).toEqual({ bridge: "cinfrab9" });
  });
});

describe("refresh: accepting the host into state", () => {
  const state = applied(program());

  it("writes changed props and outputs, drops what is gone, records a stopped container as stopped", () => {
    const live = liveOf(state, (urn, l) => {
      if (urn === "container.web") return { ...l, props: { ...l.props, limits: { memory: "80Mi" } }, outputs: { ...l.outputs, pid: 42 } };
      if (urn === "container.worker") return { ...l, status: "exited", outputs: { ...l.outputs, exitCode: 1 } };
      return urn === "network.net" ? null : l;
    });
    const a = acceptReality({ state, live });
    expect(a.remove.map((r) => r.urn)).toEqual(["network.net"]);
    const web = a.put.find((r) => r.urn === "container.web")!;
    expect(web.inputs.limits).toEqual({ memory: "80Mi" });
    expect(web.outputs.pid).toBe(42);
    const worker = a.put.find((r) => r.urn === "container.worker")!;
    expect(worker.inputs.desiredState).toBe("stopped");
    expect(worker.outputs.exitCode).toBe(1);
    expect(a.accepted.map((f) => `${f.urn} ${f.status}`)).toEqual(["container.web changed", "container.worker stopped", "network.net missing"]);
  });

  it("writes nothing on an untouched host, and never accepts host-only drift", () => {
    const probe: DriftFinding = { urn: "container.web", kind: "container", name: "web", status: "changed", attribute: "ports.relay", expected: "running", actual: null };
    const a = acceptReality({ state, live: liveOf(state, (_u, l) => l), probes: [probe] });
    expect(a.put).toEqual([]);
    expect(a.remove).toEqual([]);
    expect(a.notAccepted).toEqual([probe]);
  });
});
