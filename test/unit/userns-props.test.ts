import { describe, expect, it } from "vitest";
import { mapToHost } from "../../core/kinds/userns-props.js";
import { Container, Image } from "../../core/sdk/index.js";
import { declare } from "../helpers/declare.js";

const normalize = (userns: unknown, extra: Record<string, unknown> = {}) => declare(() => {
  new Container("web", { image: new Image("x", { rootfs: "/r" }), userns, ...extra } as never);
}).find((r) => r.kind === "container")!.props;
const range = (containerId: number, hostId: number, size: number) => ({ containerId, hostId, size });

describe("userns props", () => {
  it("takes auto, and explicit maps with gidMap defaulting to uidMap", () => {
    expect(normalize("auto").userns).toBe("auto");
    expect(normalize({ uidMap: [range(0, 100000, 65536)] }).userns).toEqual({ uidMap: [range(0, 100000, 65536)], gidMap: [range(0, 100000, 65536)] });
  });

  it("names the property of a bad map", () => {
    expect(() => normalize("yes")).toThrow(/container\.web\.userns.*"auto"/);
    expect(() => normalize({ uidMap: [] })).toThrow(/container\.web\.userns\.uidMap.*at least one/);
    expect(() => normalize({ uidMap: [range(0, 100000, 0)] })).toThrow(/uidMap\[0\]\.size/);
    expect(() => normalize({ uidMap: [range(0, 100000, 1000), range(500, 300000, 10)] })).toThrow(/uidMap\[1\]\.containerId.*overlaps range 0/);
    expect(() => normalize({ uidMap: [range(0, 100000, 1000), range(5000, 100500, 10)] })).toThrow(/uidMap\[1\]\.hostId.*overlaps/);
    expect(() => normalize({ uidMap: [range(0, 4294967290, 100)] })).toThrow(/uidMap\[0\]\.hostId.*out of range/);
    expect(() => normalize({ uidMap: [{ containerId: 0, hostId: 1, size: 1, extra: 1 }] })).toThrow(/uidMap\[0\]\.extra.*unknown/);
  });

  it("refuses privileged with userns, as Docker does", () => {
    expect(() => normalize("auto", { privileged: true })).toThrow(/container\.web\.userns.*privileged/);
  });

  it("maps ids through ranges", () => {
    const map = [range(0, 100000, 1000), range(1000, 500000, 10)];
    expect(mapToHost(map, 0)).toBe(100000);
    expect(mapToHost(map, 999)).toBe(100999);
    expect(mapToHost(map, 1005)).toBe(500005);
    expect(mapToHost(map, 1010)).toBeUndefined();
  });
});
