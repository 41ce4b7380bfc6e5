import { describe, expect, it } from "vitest";
import { compareLive, driftReport, summarizeFindings, type OwnedObject } from "../../core/drift/compare.js";
import { plan } from "../../core/planner/plan.js";
import type { DesiredResource, Props, ResourceState, StackState, Urn } from "../../core/model/types.js";
import type { LiveResource } from "../../core/runtime.js";
import { Container, Image, Network, Volume } from "../../core/sdk/index.js";
import { declare } from "../helpers/declare.js";

function program(memory = "64Mi"): DesiredResource[] {
  return declare(() => {
    const image = new Image("busybox", { rootfs: "/rootfs" });
    const net = new Network("net", { subnet: "10.89.0.0/24" });
    const data = new Volume("data");
    new Container("web", { image, command: ["sleep", "1"], limits: { memory, pids: 64 }, networks: [net], mounts: [{ volume: data, target: "/data" }] });
  });
}

function applied(desired: DesiredResource[]): StackState {
  const resources: ResourceState[] = desired.map((d) => ({
    urn: d.urn, kind: d.kind, name: d.name, id: `id-${d.name}`, inputs: d.props,
    outputs: (d.kind === "container" ? { ipAddresses: { net: "10.89.0.2" } } : {}) as Props, dependsOn: d.dependsOn,
  }));
  return { stack: "demo", lineage: "l", serial: 4, resources, pending: [] };
}

/** Live state equal to state: what every `read` returns on an untouched host. */
function liveOf(state: StackState, edit: (urn: Urn, live: LiveResource) => LiveResource | null = (_u, l) => l) {
  return new Map(state.resources.map((r) => {
    const live: LiveResource = { id: r.id, props: structuredClone(r.inputs), outputs: { ...r.outputs }, status: r.kind === "container" ? "running" : undefined };
    return [r.urn, edit(r.urn, live)] as const;
  }));
}

describe("drift comparison", () => {
  const state = applied(program());

  it("finds nothing on an untouched host", () => {
    const report = driftReport({ state, live: liveOf(state), unmanaged: [] });
    expect(report.inSync).toBe(true);
    expect(report.resources).toBe(4);
  });

  it("reports a changed limit with expected, actual and what the program declares", () => {
    const live = liveOf(state, (urn, l) => (urn === "container.web" ? { ...l, props: { ...l.props, limits: { memory: "80Mi", pids: 64 } } } : l));
    const report = driftReport({ state, live, unmanaged: [], desired: program("96Mi") });
    expect(report.findings).toEqual([{
      urn: "container.web", kind: "container", name: "web", status: "changed", attribute: "limits.memory",
      expected: "64Mi", actual: "80Mi", declared: "96Mi",
    }]);
  });

  it("reports a gone object as missing and a dead container as stopped with its exit code", () => {
    const live = liveOf(state, (urn, l) => (urn === "volume.data" ? null : urn === "container.web" ? { ...l, status: "exited", outputs: { exitCode: 137 } } : l));
    const findings = driftReport({ state, live, unmanaged: [] }).findings;
    expect(findings.map((f) => [f.urn, f.status, f.attribute, f.expected, f.actual])).toEqual([
      ["container.web", "stopped", "status", "running", "exited"],
      ["volume.data", "missing", "id", "id-data", null],
    ]);
    expect(findings[0].detail).toBe("exit code 137");
  });

  it("does not call a container declared stopped, or one restarting under its policy, stopped", () => {
    const web = state.resources.find((r) => r.urn === "container.web")!;
    const live: LiveResource = { id: web.id, props: web.inputs, outputs: {}, status: "exited" };
    expect(compareLive({ ...web, inputs: { ...web.inputs, desiredState: "stopped" } }, { ...live, props: { ...web.inputs, desiredState: "stopped" } })).toEqual([]);
    expect(compareLive(web, { ...live, status: "restarting" })).toEqual([]);
  });

  it("reports a changed address, unmanaged objects and the program's unapplied changes", () => {
    const live = liveOf(state, (urn, l) => (urn === "container.web" ? { ...l, outputs: { ipAddresses: { net: "10.89.0.9" } } } : l));
    const rogue: OwnedObject = { stack: "demo", kind: "container", name: "rogue", id: "abc", where: "/var/lib/cinfra/containers/abc" };
    const report = driftReport({ state, live, unmanaged: [rogue], plan: plan(program("128Mi"), state) });
    expect(report.findings.map((f) => `${f.urn} ${f.status} ${f.attribute}`)).toEqual([
      "container.rogue unmanaged owner", "container.web changed ipAddresses", "container.web pending update",
    ]);
    expect(report.findings[0].actual).toBe("cinfra:demo/container/rogue");
    expect(summarizeFindings(report.findings)).toEqual({ changed: 1, missing: 0, stopped: 0, unmanaged: 1, pending: 1 });
  });

  it("passes host probes through, sorted with the rest", () => {
    const probe = { urn: "container.web" as Urn, kind: "container" as const, name: "web", status: "changed" as const, attribute: "network.net.hostInterface", expected: "cinfrav1", actual: null };
    const live = liveOf(state, (urn, l) => (urn === "network.net" ? null : l));
    const report = driftReport({ state, live, probes: [probe], unmanaged: [] });
    expect(report.findings.map((f) => `${f.urn} ${f.status}`)).toEqual(["container.web changed", "network.net missing"]);
  });
});
