/**
 * Networks: a Linux bridge per network, named from the resource identity and carrying an alias
 * that names its owner; its record (subnet, gateway, bridge) lives in `<libRoot>/networks/<id>/`,
 * beside the address leases and the member list that containers on it share.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cidrContains, formatCidr, formatIpv4, parseCidr, parseIpv4, type Cidr } from "../../../core/model/units.js";
import { RuntimeError } from "../../../core/errors.js";
import type { KindOperations } from "../../../core/runtime.js";
import { linkName, type RuntimeConfig } from "../config.js";
import type { Links } from "../net/links.js";
import { ownerAlias, writeJsonAtomic, writeOwner } from "./owner.js";
import { addMasquerade, removeMasquerade } from "../firewall/masquerade.js";
import { UndoStack } from "./undo-stack.js";

export interface NetworkRecord {
  id: string;
  bridge: string;
  subnet: string;
  gateway: string;
  prefix: number;
  internal: boolean;
  mtu?: number;
  ipRange?: string;
}

/** Docker-like default pool: the first /24 of 10.213.0.0/16 that no host interface and no cinfra network uses. */
export function pickFreeSubnet(config: RuntimeConfig, links: Links): string {
  const used: Cidr[] = [];
  for (const link of links.listLinks()) {
    for (const a of links.listAddresses(link.name)) {
      if (a.family === 4) used.push({ network: networkOf(a.address, a.prefixLength), prefix: a.prefixLength, size: 2 ** (32 - a.prefixLength) });
    }
  }
  for (const id of existsSync(join(config.libRoot, "networks")) ? readdirSync(join(config.libRoot, "networks")) : []) {
    const record = readNetworkRecord(config, id);
    if (record) used.push(parseCidr(record.subnet)!);
  }
  const base = parseIpv4("10.213.0.0")!;
  for (let i = 0; i < 256; i++) {
    const candidate = { network: base + i * 256, prefix: 24, size: 256 };
    const overlaps = used.some((u) => cidrContains(u, candidate.network) || cidrContains(candidate, u.network));
    if (!overlaps) return formatCidr(candidate);
  }
  throw new RuntimeError("IPAM", "the default pool 10.213.0.0/16 has no free /24 left: declare a subnet");
}

function networkOf(address: string, prefix: number): number {
  const size = 2 ** (32 - prefix);
  return Math.floor(parseIpv4(address)! / size) * size;
}

export function networkDir(config: RuntimeConfig, id: string): string {
  return join(config.libRoot, "networks", id);
}

export function readNetworkRecord(config: RuntimeConfig, id: string): NetworkRecord | null {
  try {
    return JSON.parse(readFileSync(join(networkDir(config, id), "network.json"), "utf8")) as NetworkRecord;
  } catch {
    return null;
  }
}

export function networkOperations(config: RuntimeConfig, hostLinks: () => Links): KindOperations {
  return {
    async create(ctx, req) {
      const props = req.props as { subnet?: string; gateway?: string; internal?: boolean; mtu?: number; ipRange?: string; masquerade?: boolean };
      const subnet = props.subnet ?? pickFreeSubnet(config, hostLinks());
      const cidr = parseCidr(subnet)!;
      const record: NetworkRecord = {
        id: req.id, bridge: linkName(config, "b", `${ctx.stack}/${req.name}/${req.id}`), subnet,
        gateway: props.gateway ?? formatIpv4(cidr.network + 1), prefix: cidr.prefix, internal: props.internal ?? false,
        mtu: props.mtu, ipRange: props.ipRange,
      };
      const dir = networkDir(config, req.id);
      return UndoStack.run(async (undo) => {
        writeOwner(dir, { stack: ctx.stack, kind: "network", name: req.name, id: req.id, createdAt: new Date().toISOString() });
        undo.push("network dir", () => rmSync(dir, { recursive: true, force: true }));
        writeJsonAtomic(join(dir, "network.json"), record);
        const links = hostLinks();
        links.createBridge(record.bridge, { mtu: props.mtu, alias: ownerAlias({ stack: ctx.stack, kind: "network", name: req.name }) });
        undo.push("bridge", () => links.deleteLink(record.bridge));
        links.addAddress(record.bridge, `${record.gateway}/${record.prefix}`);
        links.setUp(record.bridge);
        if (props.masquerade) {
          const owner = ownerAlias({ stack: ctx.stack, kind: "network", name: req.name });
          addMasquerade({ table: config.linkPrefix, bridge: record.bridge, subnet, owner, bridgePrefix: `${config.linkPrefix}b` });
          undo.push("masquerade", () => removeMasquerade(config.linkPrefix, owner));
        }
        return { id: req.id, outputs: { id: req.id, bridge: record.bridge, gateway: record.gateway, subnet: record.subnet } };
      });
    },
    async update(_ctx, prior) {
      return prior.outputs; // every network prop forces replacement
    },
    async delete(ctx, prior) {
      if (prior.inputs.masquerade) removeMasquerade(config.linkPrefix, ownerAlias({ stack: ctx.stack, kind: "network", name: prior.name }));
      const record = readNetworkRecord(config, prior.id);
      const bridge = record?.bridge ?? (prior.outputs.bridge as string | undefined);
      if (bridge) hostLinks().deleteLink(bridge);
      rmSync(networkDir(config, prior.id), { recursive: true, force: true });
    },
    async read(_ctx, prior) {
      const record = readNetworkRecord(config, prior.id);
      if (!record) return null;
      const link = hostLinks().getLink(record.bridge);
      if (!link) return null;
      const props: Record<string, string | number | boolean> = {};
      if (prior.inputs.subnet !== undefined) props.subnet = record.subnet;
      if (record.ipRange !== undefined) props.ipRange = record.ipRange;
      if (prior.inputs.gateway !== undefined) props.gateway = record.gateway;
      if (record.internal) props.internal = true;
      if (record.mtu !== undefined) props.mtu = link.mtu;
      return {
        id: record.id, props,
        outputs: { id: record.id, bridge: record.bridge, gateway: record.gateway, subnet: record.subnet },
        status: link.up ? "up" : "down",
      };
    },
  };
}

export function networkExists(config: RuntimeConfig, id: string): boolean {
  return existsSync(join(networkDir(config, id), "network.json"));
}
