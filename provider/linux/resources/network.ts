/**
 * Networks: a Linux bridge per network, named from the resource identity and carrying an alias
 * that names its owner; its record (subnet, gateway, bridge) lives in `<libRoot>/networks/<id>/`,
 * beside the address leases and the member list that containers on it share.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { formatIpv4, parseCidr } from "../../../core/model/units.js";
import type { KindOperations } from "../../../core/runtime.js";
import { linkName, type RuntimeConfig } from "../config.js";
import type { Links } from "../net/links.js";
import { ownerAlias, writeJsonAtomic, writeOwner } from "./owner.js";
import { UndoStack } from "./undo-stack.js";

export interface NetworkRecord {
  id: string;
  bridge: string;
  subnet: string;
  gateway: string;
  prefix: number;
  internal: boolean;
  mtu?: number;
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
      const props = req.props as { subnet: string; gateway?: string; internal?: boolean; mtu?: number };
      const cidr = parseCidr(props.subnet)!;
      const record: NetworkRecord = {
        id: req.id, bridge: linkName(config, "b", `${ctx.stack}/${req.name}/${req.id}`), subnet: props.subnet,
        gateway: props.gateway ?? formatIpv4(cidr.network + 1), prefix: cidr.prefix, internal: props.internal ?? false,
        mtu: props.mtu,
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
        return { id: req.id, outputs: { id: req.id, bridge: record.bridge, gateway: record.gateway, subnet: record.subnet } };
      });
    },
    async update(_ctx, prior) {
      return prior.outputs; // every network prop forces replacement
    },
    async delete(_ctx, prior) {
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
      const props: Record<string, string | number | boolean> = { subnet: record.subnet };
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
