/** Namespace sharing in the pure core: plan order and replace cascade, and the cross-container checks. */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../core/errors.js";
import { RESOURCE_BRAND } from "../../core/model/check.js";
import type { DesiredResource, ResourceState, StackState } from "../../core/model/types.js";
import { plan } from "../../core/planner/plan.js";
import { Container, Image } from "../../core/sdk/index.js";
import { declare } from "../helpers/declare.js";

type Mode = "pid" | "ipc" | "network";

function stack(opts: { command?: string[]; mode?: Mode; ownerState?: "stopped"; extra?: (image: Image, web: Container) => void } = {}): DesiredResource[] {
  return declare(() => {
    const image = new Image("busybox", { rootfs: "/rootfs" });
    const web = new Container("web", { image, command: opts.command ?? ["httpd", "-f"], desiredState: opts.ownerState });
    new Container("peer", { image, [opts.mode ?? "pid"]: { container: web }, command: ["sleep", "1000"] });
    opts.extra?.(image, web);
  });
}

function applied(desired: DesiredResource[]): StackState {
  const resources: ResourceState[] = desired.map((d) => ({
    urn: d.urn, kind: d.kind, name: d.name, id: `id-${d.name}`, inputs: d.props, outputs: {}, dependsOn: d.dependsOn,
  }));
  return { stack: "demo", lineage: "l", serial: resources.length, resources, pending: [] };
}

const empty: StackState = { stack: "demo", lineage: "l", serial: 0, resources: [], pending: [] };

/** A container-shaped stand-in that never registered: what a container of another program would look like here. */
const foreign = (name: string) => ({ [RESOURCE_BRAND]: true, kind: "container", name, urn: `container.${name}` }) as unknown as Container;

function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return e as ValidationError;
  }
  throw new Error("expected a ValidationError");
}

describe("pid sharing in the plan", () => {
  it("creates the owner before its sharer", () => {
    const order = plan(stack(), empty).changes.map((c) => c.urn);
    expect(order.indexOf("container.peer")).toBeGreaterThan(order.indexOf("container.web"));
  });

  it.each(["pid", "ipc", "network"] as const)("replacing the owner replaces its %s sharer, naming why", (mode) => {
    const p = plan(stack({ mode, command: ["httpd", "-f", "-v"] }), applied(stack({ mode })));
    const peer = p.changes.find((c) => c.urn === "container.peer")!;
    expect(p.changes.find((c) => c.urn === "container.web")!.action).toBe("replace");
    expect(peer.action).toBe("replace");
    expect(peer.replaceReasons).toEqual([`${mode}.container (container.web is replaced)`]);
  });

  it("an in-place update of the owner leaves the sharer alone", () => {
    const withLimit = (pids: number) => stack().map((d) =>
      d.urn === "container.web" ? { ...d, props: { ...d.props, limits: { pids } } } : d);
    const p = plan(withLimit(20), applied(withLimit(10)));
    expect(p.changes.find((c) => c.urn === "container.web")!.action).toBe("update");
    expect(p.changes.find((c) => c.urn === "container.peer")!.action).toBe("noop");
  });

  it("switching a sharer to its own pid namespace replaces it", () => {
    const own = stack().map((d) => (d.urn === "container.peer" ? { ...d, props: { ...d.props, pid: undefined } as never } : d));
    const peer = plan(own, applied(stack())).changes.find((c) => c.urn === "container.peer")!;
    expect(peer.action).toBe("replace");
  });
});

describe("namespace sharing checks", () => {
  it("rejects pid sharing combined with init, naming the property", () => {
    const e = validationError(() => declare(() => {
      const image = new Image("busybox", { rootfs: "/rootfs" });
      const web = new Container("web", { image });
      new Container("peer", { image, pid: { container: web }, init: true });
    }));
    expect(e.path).toBe("container.peer.pid");
    expect(e.reason).toMatch(/init: true/);
  });

  it("rejects an owner that is not in the stack", () => {
    const desired = declare(() => {
      const image = new Image("busybox", { rootfs: "/rootfs" });
      new Container("peer", { image, pid: { container: foreign("ghost") } });
    });
    const e = validationError(() => plan(desired, empty));
    expect(e.path).toBe("container.peer.pid.container");
    expect(e.reason).toMatch(/container\.ghost is not declared in this stack/);
  });

  it.each(["pid", "ipc", "network"] as const)("rejects a container joining its own %s namespace", (mode) => {
    const desired = declare(() => {
      const image = new Image("busybox", { rootfs: "/rootfs" });
      new Container("peer", { image, [mode]: { container: foreign("peer") } });
    });
    const e = validationError(() => plan(desired, empty));
    expect(e.path).toBe(`container.peer.${mode}.container`);
    expect(e.reason).toBe(`a container cannot join its own ${mode} namespace`);
  });

  it.each(["pid", "ipc"] as const)("rejects joining the %s namespace of a container declared stopped", (mode) => {
    const e = validationError(() => plan(stack({ mode, ownerState: "stopped" }), empty));
    expect(e.path).toBe(`container.peer.${mode}.container`);
    expect(e.reason).toMatch(/declared desiredState "stopped"/);
  });

  it("allows a network namespace of a stopped owner (the named netns outlives its process)", () => {
    expect(() => plan(stack({ mode: "network", ownerState: "stopped" }), empty)).not.toThrow();
  });

  it("rejects a network chain at plan time, naming the container to join instead", () => {
    const e = validationError(() => plan(stack({
      mode: "network", extra: (image) => {
        const peer = { [RESOURCE_BRAND]: true, kind: "container", name: "peer", urn: "container.peer" } as unknown as Container;
        new Container("third", { image, network: { container: peer } });
      },
    }), empty));
    expect(e.path).toBe("container.third.network.container");
    expect(e.reason).toMatch(/container\.peer itself joins container\.web's network namespace: join container\.web directly/);
  });
});
