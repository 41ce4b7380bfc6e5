/**
 * A container's network plumbing: a named netns, one veth per attachment (host end on the
 * network's bridge, `eth<i>` inside), an address leased from the network, a default route via the
 * first non-internal network, and membership for name resolution. Recorded in `attachments.json`
 * so delete and drift find everything without state.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import type { OperationContext } from "../../../core/runtime.js";
import { linkName, type RuntimeConfig } from "../config.js";
import type { Links } from "../net/links.js";
import { createNetns, openNetns, removeNetns, withNetns } from "../net/netns.js";
import { createSyscalls } from "../sys/syscalls.js";
import type { ContainerInputs } from "./container-inputs.js";
import type { ContainerPaths } from "./container-paths.js";
import { joinNetwork, leaveNetwork, refreshHosts } from "./hosts.js";
import { Leases } from "./ipam.js";
import { networkDir, readNetworkRecord } from "./network.js";
import { ownerAlias, writeJsonAtomic } from "./owner.js";
import type { UndoStack } from "./undo-stack.js";

export interface Attachment {
  networkId: string;
  networkName: string;
  ip: string;
  prefix: number;
  gateway: string;
  hostIf: string;
  ifName: string;
  aliases: string[];
}

const attachmentsFile = (paths: ContainerPaths) => join(paths.dir, "attachments.json");

export function readAttachments(paths: ContainerPaths): Attachment[] {
  try {
    return JSON.parse(readFileSync(attachmentsFile(paths), "utf8")) as Attachment[];
  } catch {
    return [];
  }
}

export async function attachNetworks(
  ctx: OperationContext, config: RuntimeConfig, links: Links, owner: { id: string; name: string; hostname: string },
  inputs: ContainerInputs, paths: ContainerPaths, undo: UndoStack,
): Promise<Attachment[]> {
  // The host's namespace, or another container's: nothing to build.
  if (inputs.network === "host" || typeof inputs.network === "object") return [];
  createNetns(paths.netns); // "none" stops here: loopback only
  undo.push("netns", () => removeNetns(paths.netns));
  const attachments: Attachment[] = [];
  let routed = false;
  for (const [i, spec] of (inputs.networks ?? []).entries()) {
    const network = ctx.deps.get(spec.network.$ref);
    const record = network && readNetworkRecord(config, network.id);
    if (!network || !record) throw new RuntimeError("NETWORK_MISSING", `network ${spec.network.$ref} does not exist on this host`);
    const leases = new Leases(join(networkDir(config, record.id), "leases"));
    const ip = leases.acquire(record.subnet, record.gateway, owner.id, spec.ipv4, record.ipRange);
    undo.push(`lease ${ip}`, () => leases.release(ip));
    const attachment: Attachment = {
      networkId: record.id, networkName: network.name, ip, prefix: record.prefix, gateway: record.gateway,
      hostIf: linkName(config, "v", `${owner.id}/${i}`), ifName: `eth${i}`, aliases: spec.aliases ?? [],
    };
    const nsFd = openNetns(paths.netns);
    try {
      links.createVeth(attachment.hostIf, attachment.ifName, {
        peerNetnsFd: nsFd, master: record.bridge, up: true, mtu: record.mtu,
        alias: ownerAlias({ stack: ctx.stack, kind: "container", name: owner.name }),
      });
    } finally {
      createSyscalls().close(nsFd);
    }
    undo.push(`veth ${attachment.hostIf}`, () => links.deleteLink(attachment.hostIf));
    const route: boolean = !routed && !record.internal;
    routed ||= route;
    await withNetns(paths.netns, (inside) => {
      inside.addAddress(attachment.ifName, `${ip}/${record.prefix}`);
      inside.setUp(attachment.ifName);
      if (route) inside.addDefaultRoute(record.gateway, attachment.ifName);
    });
    attachments.push(attachment);
  }
  writeJsonAtomic(attachmentsFile(paths), attachments);
  const dirs = attachments.map((a) => networkDir(config, a.networkId));
  for (const a of attachments) {
    joinNetwork(networkDir(config, a.networkId), {
      containerId: owner.id, name: owner.name, ip: a.ip, aliases: a.aliases, hostsFile: paths.hosts, networkDirs: dirs,
    });
    undo.push(`member of ${a.networkName}`, () => leaveNetwork(networkDir(config, a.networkId), owner.id));
  }
  return attachments;
}

/** Undo everything attachNetworks did; safe on a half-attached container (crash recovery). */
export function detachNetworks(config: RuntimeConfig, links: Links, id: string, paths: ContainerPaths): void {
  const attachments = readAttachments(paths);
  for (const a of attachments) {
    const dir = networkDir(config, a.networkId);
    leaveNetwork(dir, id);
    new Leases(join(dir, "leases")).release(a.ip);
    links.deleteLink(a.hostIf);
  }
  // Interfaces created before attachments.json was written carry names derived from the id.
  for (let i = 0; i < 8; i++) links.deleteLink(linkName(config, "v", `${id}/${i}`));
  removeNetns(paths.netns);
  rmSync(attachmentsFile(paths), { force: true });
  refreshHosts(attachments.map((a) => networkDir(config, a.networkId)));
}
