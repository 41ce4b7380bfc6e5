import { describe, expect, it } from "vitest";
import { Container, Image, Network, Volume } from "../../core/sdk/index.js";
import { declare } from "../helpers/declare.js";
import { PlanError, ValidationError } from "../../core/errors.js";
import { formatSize, parseCidr, parseSize } from "../../core/model/units.js";

function error(fn: () => void): ValidationError | PlanError {
  try {
    declare(fn);
  } catch (e) {
    return e as ValidationError;
  }
  throw new Error("expected an error");
}

describe("prop validation", () => {
  it("names the property path of a bad size", () => {
    const e = error(() => {
      const image = new Image("busybox", { rootfs: "/r" });
      new Container("web", { image, limits: { memory: "12XB" } });
    });
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('container.web.limits.memory: "12XB" is not a size (like "64Mi", "1Gi", "512m")');
  });

  it.each([
    [() => new Network("n", { subnet: "10.0.0.1/24" }), "network.n.subnet"],
    [() => new Network("n", { subnet: "10.0.0.0/24", gateway: "10.0.1.1" }), "network.n.gateway"],
    [() => new Volume("Bad Name"), "volume name"],
    [() => new Container("c", { image: new Volume("v") as never }), "container.c.image"],
    [() => new Container("c", { image: new Image("i", { rootfs: "/r" }), limits: { cpus: 0 } }), "container.c.limits.cpus"],
    [() => new Container("c", { image: new Image("i", { rootfs: "/r" }), restart: "sometimes" as never }), "container.c.restart"],
    [() => new Container("c", { image: new Image("i", { rootfs: "/r" }), bogus: 1 } as never), "container.c.bogus"],
    [() => {
      const image = new Image("i", { rootfs: "/r" });
      const v = new Volume("v");
      new Container("c", { image, mounts: [{ volume: v, target: "/d" }, { volume: v, target: "/d" }] });
    }, "container.c.mounts[1].target"],
    [() => {
      const image = new Image("i", { rootfs: "/r" });
      const web = new Container("web", { image });
      new Container("c", { image, network: { container: web }, ports: [{ host: 8080, container: 80 }] });
    }, "container.c.network"],
    [() => {
      const image = new Image("i", { rootfs: "/r" });
      new Container("c", { image, ipc: { container: new Volume("v") as never } });
    }, "container.c.ipc.container"],
  ])("rejects bad input %#", (fn, path) => {
    const e = error(fn as () => void);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).path).toBe(path);
  });

  it("rejects duplicate names", () => {
    const e = error(() => { new Volume("v"); new Volume("v"); });
    expect(e).toBeInstanceOf(PlanError);
    expect(e.code).toBe("DUPLICATE_NAME");
  });

  it("resolves a relative rootfs against the stack directory", () => {
    const [image] = declare(() => void new Image("i", { rootfs: "rootfs/busybox" }), "/home/me/stacks");
    expect(image.props.rootfs).toBe("/home/me/stacks/rootfs/busybox");
  });
});

describe("units", () => {
  it("parses and formats sizes", () => {
    expect(parseSize("64Mi")).toBe(64 * 2 ** 20);
    expect(parseSize("512m")).toBe(512 * 2 ** 20);
    expect(parseSize("1G")).toBe(1e9);
    expect(parseSize("12XB")).toBeNull();
    expect(formatSize(96 * 2 ** 20)).toBe("96Mi");
    expect(formatSize(1000)).toBe("1000");
  });
  it("parses CIDRs", () => {
    expect(parseCidr("10.89.0.0/24")).toEqual({ network: 0x0a590000, prefix: 24, size: 256 });
    expect(parseCidr("10.89.0.1/24")).toBeNull();
  });
});
