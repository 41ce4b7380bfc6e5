/** Ownership scan and host probes over a runtime-shaped temp directory and a given link list (no kernel objects). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ResourceState, StackState } from "../../core/model/types.js";
import type { LiveResource } from "../../core/runtime.js";
import { linkName, type RuntimeConfig } from "../../provider/linux/config.js";
import { openImageStore } from "../../provider/linux/images/index.js";
import type { LinkInfo } from "../../provider/linux/net/links.js";
import { probeStack, unmanagedObjects } from "../../provider/linux/resources/owned-objects.js";

const root = mkdtempSync(join(tmpdir(), "cinfra-drift-owned-"));
const config: RuntimeConfig = { libRoot: join(root, "lib"), runRoot: join(root, "run"), cgroupRoot: join(root, "cg"), cgroupParent: "cinfraxx", linkPrefix: "cinfraxx" };

function owned(sub: string, id: string, owner: { stack: string; kind: string; name: string }, files: Record<string, unknown> = {}) {
  const dir = join(config.libRoot, sub, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "owner.json"), JSON.stringify({ ...owner, id, createdAt: "2025-01-01T00:00:00Z" }));
  for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(value));
}

const link = (name: string, alias: string | null, kind: string | null, master: string | null = null): LinkInfo => ({ index: 1, name, alias, kind, up: true, master, mtu: 1500 });

const web: ResourceState = {
  urn: "container.web", kind: "container", name: "web", id: "c1", inputs: { image: { $ref: "image.img" }, networks: [{ network: { $ref: "network.net" } }] },
  outputs: {}, dependsOn: ["network.net"],
};
const net: ResourceState = { urn: "network.net", kind: "network", name: "net", id: "n1", inputs: {}, outputs: { bridge: "cinfraxxbaaaa" }, dependsOn: [] };
const state: StackState = { stack: "shop", lineage: "l", serial: 2, resources: [web, net], pending: [{ urn: "volume.v", op: "create", id: "v-in-flight", startedAt: "now" }] };
const veth = linkName(config, "v", "c1/0");

owned("containers", "c1", { stack: "shop", kind: "container", name: "web" }, {
  "attachments.json": [{ networkId: "n1", networkName: "net", ip: "10.0.0.2", prefix: 24, gateway: "10.0.0.1", hostIf: veth, ifName: "eth0", aliases: [] }],
});
owned("networks", "n1", { stack: "shop", kind: "network", name: "net" });
owned("volumes", "v-in-flight", { stack: "shop", kind: "volume", name: "v" });
owned("containers", "rogue1", { stack: "shop", kind: "container", name: "rogue" }, { "attachments.json": [{ networkId: "n1", hostIf: "cinfraxxvrogue" }] });
mkdirSync(join(config.libRoot, "volumes", "norecord"), { recursive: true });

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("unmanaged objects", () => {
  it("finds directories and interfaces in no state, and leaves managed and in-flight ones alone", () => {
    const links = [
      link("cinfraxxbaaaa", "cinfra:shop/network/net", "bridge"),
      link(veth, "cinfra:shop/container/web", "veth", "cinfraxxbaaaa"),
      link("cinfraxxvrogue", "cinfra:shop/container/rogue", "veth"), // goes with the rogue container's directory
      link("cinfraxxbstray", "cinfra:old/network/gone", "bridge"),
      link("cinfrayyb0000", "cinfra:other/network/x", "bridge"), // another prefix: not this runtime's
      link("eth0", null, null),
    ];
    const found = unmanagedObjects(config, links, [state]);
    expect(found.map((o) => `${o.stack}/${o.kind}/${o.name} ${o.id}`).sort()).toEqual([
      "/volume/norecord norecord", "old/network/gone cinfraxxbstray", "shop/container/rogue rogue1",
    ]);
    expect(found.find((o) => o.id === "rogue1")!.uses).toEqual(["n1"]);
    expect(found.find((o) => o.id === "cinfraxxbstray")!.link).toBe("cinfraxxbstray");
  });
});

describe("host probes", () => {
  const images = openImageStore(config.libRoot);
  const live = new Map<ResourceState["urn"], LiveResource | null>([
    ["container.web", { id: "c1", props: web.inputs, outputs: {}, status: "running" }],
    ["network.net", null],
  ]);
  const view = (links: LinkInfo[]) => ({ config, links, images, addresses: () => [] });

  it("reports a deleted veth, and a veth off its bridge", () => {
    expect(probeStack(view([]), state, live).map((f) => [f.urn, f.attribute, f.expected, f.actual])).toEqual([
      ["container.web", "network.net.hostInterface", veth, null],
    ]);
    expect(probeStack(view([link(veth, null, "veth", null)]), state, live).map((f) => [f.attribute, f.expected, f.actual])).toEqual([
      ["network.net.bridge", "cinfraxxbaaaa", null],
    ]);
    expect(probeStack(view([link(veth, null, "veth", "cinfraxxbaaaa")]), state, live)).toEqual([]);
  });
});
