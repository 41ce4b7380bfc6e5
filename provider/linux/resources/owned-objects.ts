/**
 * What cinfra owns on this host, found without state: container, network and volume directories
 * (owner.json beside each) and interfaces under the link prefix (alias `cinfra:<stack>/<kind>/<name>`).
 * Also the host checks drift needs beyond each kind's `read`: a container's veths and their bridge,
 * its published-port relay, the image it really runs on, an image name re-pointed to a new digest,
 * a network bridge that is down or lost its gateway address.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { DriftFinding, OwnedObject } from "../../../core/drift/compare.js";
import type { Kind, PropValue, ResourceState, StackState, Urn } from "../../../core/model/types.js";
import { isRef } from "../../../core/model/types.js";
import type { LiveResource } from "../../../core/runtime.js";
import { linkName, type RuntimeConfig } from "../config.js";
import type { ImageRecord, ImageStore } from "../images/index.js";
import type { Links, LinkInfo } from "../net/links.js";
import { processStartTime } from "../supervise/process-info.js";
import { readAttachments } from "./container-network.js";
import { containerPaths } from "./container-paths.js";
import { readOwner } from "./owner.js";
import { probeSharedNamespaces } from "./shared-namespace-probe.js";

const DIRS: readonly [string, Kind][] = [["containers", "container"], ["networks", "network"], ["volumes", "volume"]];
const ALIAS = /^cinfra:([^/]+)\/(image|volume|network|container)\/(.+)$/;
/** attachNetworks never makes more veths than this per container without recording them. */
const MAX_VETHS = 8;

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Every container, network and volume directory under the runtime roots, and every interface under
 * the link prefix; `skip` leaves out objects already accounted for before their records are read
 * (drift runs every few seconds over every container: reading only the strays keeps it fast).
 */
export function listOwnedObjects(
  config: RuntimeConfig, links: readonly LinkInfo[],
  skip: { dir?: (kind: Kind, id: string) => boolean; link?: (name: string) => boolean } = {},
): OwnedObject[] {
  const out: OwnedObject[] = [];
  for (const [sub, kind] of DIRS) {
    for (const id of listDir(join(config.libRoot, sub))) {
      if (skip.dir?.(kind, id)) continue;
      const where = join(config.libRoot, sub, id);
      const owner = readOwner(where);
      // A directory without its record is still cinfra's by place and name (a create that crashed early).
      const object: OwnedObject = { stack: owner?.stack ?? "", kind, name: owner?.name ?? id, id, where };
      if (kind === "container") object.uses = readAttachments(containerPaths(config, id)).map((a) => a.networkId);
      out.push(object);
    }
  }
  for (const link of links) {
    if (!link.name.startsWith(config.linkPrefix) || skip.link?.(link.name)) continue;
    const m = ALIAS.exec(link.alias ?? "");
    const kind: Kind = m ? (m[2] as Kind) : link.kind === "bridge" ? "network" : "container";
    out.push({ stack: m?.[1] ?? "", kind, name: m?.[3] ?? link.name, id: link.name, where: `link ${link.name}`, link: link.name });
  }
  return out;
}

/** Owned objects that no stack's state (nor an apply in flight) accounts for. */
export function unmanagedObjects(config: RuntimeConfig, links: readonly LinkInfo[], states: readonly StackState[]): OwnedObject[] {
  const ids = new Set<string>();
  const linkNames = new Set<string>();
  const expectVeths = (id: string) => {
    for (let i = 0; i < MAX_VETHS; i++) linkNames.add(linkName(config, "v", `${id}/${i}`));
  };
  for (const state of states) {
    for (const r of state.resources) {
      ids.add(`${r.kind}:${r.id}`);
      if (r.kind === "container") expectVeths(r.id);
      if (r.kind === "network" && typeof r.outputs.bridge === "string") linkNames.add(r.outputs.bridge);
    }
    for (const op of state.pending) {
      const kind = op.urn.slice(0, op.urn.indexOf(".")) as Kind;
      ids.add(`${kind}:${op.id}`);
      if (kind === "container") expectVeths(op.id);
      if (kind === "network") linkNames.add(linkName(config, "b", `${state.stack}/${op.urn.slice(op.urn.indexOf(".") + 1)}/${op.id}`));
    }
  }
  const owned = listOwnedObjects(config, links, { dir: (kind, id) => ids.has(`${kind}:${id}`), link: (name) => linkNames.has(name) });
  const strayDirs = owned.filter((o) => !o.link);
  const ownerKey = (o: OwnedObject) => `${o.stack}/${o.kind}/${o.name}`;
  // An interface of an unmanaged directory object goes with it: report the object once.
  const covered = new Set(strayDirs.map(ownerKey));
  const strayLinks = owned.filter((o) => o.link && !covered.has(ownerKey(o)));
  return [...strayDirs, ...strayLinks];
}

export interface HostView {
  config: RuntimeConfig;
  links: readonly LinkInfo[];
  images: ImageStore;
  /** Addresses of one interface (asked only for network bridges). */
  addresses: (name: string) => string[];
}

/** Host checks for one stack's resources: findings of status "changed", each forcing a replace under `apply --refresh`. */
export function probeStack(view: HostView, state: StackState, live: ReadonlyMap<Urn, LiveResource | null>): DriftFinding[] {
  const byName = new Map(view.links.map((l) => [l.name, l]));
  const byId = new Map(state.resources.map((r) => [r.id, r]));
  const byUrn = new Map(state.resources.map((r) => [r.urn, r]));
  const findings: DriftFinding[] = [];
  const holders = holdersCache(view.images);
  let allImages: ImageRecord[] | undefined;
  const images = () => (allImages ??= view.images.listImages());
  for (const r of state.resources) {
    const now = live.get(r.urn);
    if (!now) continue; // gone: reported as missing
    const found = (attribute: string, expected: PropValue, actual: PropValue, detail?: string) =>
      findings.push({ urn: r.urn, kind: r.kind, name: r.name, status: "changed", attribute, expected, actual, detail });
    if (r.kind === "container") {
      probeContainer(view, r, now, byName, byId, found);
      probeSharedNamespaces(view.config, r, byUrn, found);
      const image = isRef(r.inputs.image) ? byUrn.get(r.inputs.image.$ref) : undefined;
      if (image && !holders.holds(image.id, r.id)) found("image.digest", image.id, holders.imageOf(r.id), "the container does not run on its image");
    }
    if (r.kind === "network") probeNetwork(view, r, now, byName, found);
    if (r.kind === "image") probeImage(view.images, images, r, found);
  }
  return findings;
}

type Found = (attribute: string, expected: PropValue, actual: PropValue, detail?: string) => void;

function probeContainer(
  view: HostView, r: ResourceState, now: LiveResource, byName: Map<string, LinkInfo>, byId: Map<string, ResourceState>, found: Found,
): void {
  const paths = containerPaths(view.config, r.id);
  const attachments = readAttachments(paths);
  const declared = Array.isArray(r.inputs.networks) ? r.inputs.networks.length : 0;
  if (attachments.length < declared) found("networks", declared, attachments.length, "attachments are missing");
  for (const a of attachments) {
    const link = byName.get(a.hostIf);
    const bridge = byId.get(a.networkId)?.outputs.bridge ?? null;
    if (!link) found(`network.${a.networkName}.hostInterface`, a.hostIf, null, `veth ${a.hostIf} is gone`);
    else if (bridge !== null && link.master !== bridge) found(`network.${a.networkName}.bridge`, bridge, link.master, `veth ${a.hostIf} is off its bridge`);
  }
  if (now.status === "running" && Array.isArray(r.inputs.ports) && r.inputs.ports.length > 0 && !relayAlive(paths.stateDir)) {
    found("ports.relay", "running", null, "the published-port relay is gone");
  }
}

function relayAlive(stateDir: string): boolean {
  try {
    const [pid, ticks] = readFileSync(join(stateDir, "proxy"), "utf8").trim().split(" ").map(Number);
    return processStartTime(pid) === ticks;
  } catch {
    return false;
  }
}

function probeNetwork(view: HostView, r: ResourceState, now: LiveResource, byName: Map<string, LinkInfo>, found: Found): void {
  const bridge = now.outputs.bridge;
  if (typeof bridge !== "string" || !byName.has(bridge)) return;
  if (now.status === "down") found("state", "up", "down", `bridge ${bridge} is down`);
  const gateway = `${String(now.outputs.gateway)}/${String(now.outputs.subnet).split("/")[1]}`;
  const addresses = view.addresses(bridge);
  if (!addresses.includes(gateway)) found("gateway", gateway, addresses.length ? addresses.join(",") : null, `bridge ${bridge} lost its address`);
}

/** An image resource is named by its rootfs: the newest image under that name and config is what the name means now. */
function probeImage(images: ImageStore, all: () => ImageRecord[], r: ResourceState, found: Found): void {
  const mine = /^sha256:[0-9a-f]{64}$/.test(r.id) ? images.getImage(r.id) : null;
  const name = r.inputs.rootfs;
  if (!mine || typeof name !== "string") return;
  const same = (img: ImageRecord) => img.names.includes(name) && JSON.stringify(img.config) === JSON.stringify(mine.config);
  const newest = all().filter(same).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  if (newest && newest.id !== mine.id) found("digest", mine.id, newest.id, `${name} now names a newer import`);
}

/** Image holders read once per image, and the reverse map only when a container is not where it should be. */
function holdersCache(images: ImageStore) {
  const byImage = new Map<string, Set<string>>();
  let reverse: Map<string, string> | undefined;
  return {
    holds(imageId: string, holder: string): boolean {
      if (!/^sha256:[0-9a-f]{64}$/.test(imageId)) return true; // a create that never finished: nothing to check
      if (!byImage.has(imageId)) byImage.set(imageId, new Set(images.holders(imageId)));
      return byImage.get(imageId)!.has(holder);
    },
    imageOf(holder: string): string | null {
      if (!reverse) {
        reverse = new Map();
        const dir = images.paths.holdersDir();
        for (const hex of existsSync(dir) ? readdirSync(dir) : []) {
          for (const h of images.holders(`sha256:${hex}`)) reverse.set(h, `sha256:${hex}`);
        }
      }
      return reverse.get(holder) ?? null;
    },
  };
}

/** Addresses of an interface as "a.b.c.d/nn", through the runtime's netlink helper. */
export function interfaceAddresses(links: Links): (name: string) => string[] {
  return (name) => links.listAddresses(name).filter((a) => a.family === 4).map((a) => a.cidr);
}
