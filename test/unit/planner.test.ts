import { describe, expect, it } from "vitest";
import { plan } from "../../core/planner/plan.js";
import { summarize } from "../../core/planner/plan-types.js";
import type { DesiredResource, ResourceState, StackState } from "../../core/model/types.js";
import { Container, Image, Network, Volume } from "../../core/sdk/index.js";
import { declare } from "../helpers/declare.js";
import { PlanError } from "../../core/errors.js";

function demo(overrides: { memory?: string; command?: string[] } = {}): DesiredResource[] {
  return declare(() => {
    const image = new Image("busybox", { rootfs: "/rootfs" });
    const net = new Network("demo-net", { subnet: "10.89.0.0/24" });
    const data = new Volume("demo-data");
    new Container("web", {
      image, command: overrides.command ?? ["httpd", "-f", "-p", "8080", "-h", "/data"],
      limits: { memory: overrides.memory ?? "64Mi", cpus: 0.5, pids: 64 },
      networks: [net], mounts: [{ volume: data, target: "/data" }],
    });
  });
}

/** State as if `desired` had been applied. */
function applied(desired: DesiredResource[]): StackState {
  const resources: ResourceState[] = desired.map((d) => ({
    urn: d.urn, kind: d.kind, name: d.name, id: `id-${d.name}`, inputs: d.props, outputs: {}, dependsOn: d.dependsOn,
  }));
  return { stack: "demo", lineage: "l", serial: resources.length, resources, pending: [] };
}

const empty: StackState = { stack: "demo", lineage: "l", serial: 0, resources: [], pending: [] };

describe("planner", () => {
  it("creates everything on empty state, dependencies first", () => {
    const p = plan(demo(), empty);
    expect(summarize(p)).toEqual({ create: 4, update: 0, replace: 0, delete: 0, forget: 0 });
    const order = p.changes.map((c) => c.urn);
    expect(order.indexOf("container.web")).toBeGreaterThan(order.indexOf("network.demo-net"));
    expect(order.indexOf("container.web")).toBeGreaterThan(order.indexOf("image.busybox"));
    const web = p.changes.find((c) => c.urn === "container.web")!;
    expect(web.attributes.find((a) => a.path === "limits.memory")?.after).toBe("64Mi");
    expect(web.computed).toContain("ipAddresses");
  });

  it("plans no changes when state matches", () => {
    const desired = demo();
    expect(summarize(plan(desired, applied(desired)))).toEqual({ create: 0, update: 0, replace: 0, delete: 0, forget: 0 });
  });

  it("updates a live-updatable limit in place", () => {
    const p = plan(demo({ memory: "96Mi" }), applied(demo()));
    const web = p.changes.find((c) => c.urn === "container.web")!;
    expect(web.action).toBe("update");
    expect(web.attributes).toEqual([
      { path: "limits.memory", before: "64Mi", after: "96Mi", afterUnknown: false, forcesReplacement: false },
    ]);
  });

  it("treats equal sizes in other spellings as no change", () => {
    expect(summarize(plan(demo({ memory: "67108864" }), applied(demo()))).update).toBe(0);
  });

  it("replaces on a command change and says which attribute forces it", () => {
    const p = plan(demo({ command: ["httpd", "-f", "-p", "9090"] }), applied(demo()));
    const web = p.changes.find((c) => c.urn === "container.web")!;
    expect(web.action).toBe("replace");
    expect(web.replaceReasons).toEqual(["command"]);
    expect(web.attributes[0].forcesReplacement).toBe(true);
  });

  it("cascades a replacement to resources that reference the replaced one", () => {
    const prior = applied(demo());
    const desired = declare(() => {
      const image = new Image("busybox", { rootfs: "/rootfs" });
      const net = new Network("demo-net", { subnet: "10.90.0.0/24" });
      const data = new Volume("demo-data");
      new Container("web", {
        image, command: ["httpd", "-f", "-p", "8080", "-h", "/data"], limits: { memory: "64Mi", cpus: 0.5, pids: 64 },
        networks: [net], mounts: [{ volume: data, target: "/data" }],
      });
    });
    const p = plan(desired, prior);
    const web = p.changes.find((c) => c.urn === "container.web")!;
    expect(p.changes.find((c) => c.urn === "network.demo-net")!.action).toBe("replace");
    expect(web.action).toBe("replace");
    expect(web.replaceReasons).toEqual(["networks (network.demo-net is replaced)"]);
  });

  it("deletes what the program no longer declares", () => {
    const desired = demo().filter((d) => d.kind !== "container");
    const p = plan(desired, applied(demo()));
    expect(p.changes.find((c) => c.urn === "container.web")!.action).toBe("delete");
  });

  it("honours ignoreChanges and --replace", () => {
    const desired = declare(() => {
      new Volume("data", { labels: { a: "2" } }, { ignoreChanges: ["labels"] });
    });
    const prior = applied(declare(() => void new Volume("data", { labels: { a: "1" } })));
    expect(plan(desired, prior).changes[0].action).toBe("noop");
    expect(plan(desired, prior, { replace: ["volume.data"] }).changes[0].replaceReasons).toEqual(["requested with --replace"]);
  });

  it("refuses to replace a protected resource", () => {
    const desired = declare(() => void new Network("n", { subnet: "10.1.0.0/24" }, { protect: true }));
    const prior = applied(declare(() => void new Network("n", { subnet: "10.2.0.0/24" })));
    expect(() => plan(desired, prior)).toThrow(PlanError);
  });

  it("reports a dependency cycle", () => {
    const a: DesiredResource = { urn: "volume.a", kind: "volume", name: "a", props: {}, dependsOn: ["volume.b"], options: { protect: false, ignoreChanges: [] } };
    const b: DesiredResource = { ...a, urn: "volume.b", name: "b", dependsOn: ["volume.a"] };
    expect(() => plan([a, b], empty)).toThrow(/dependency cycle: volume.a -> volume.b -> volume.a/);
  });
});
