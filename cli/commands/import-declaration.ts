/**
 * From a container's live facts to the `new Container(...)` that declares it: every setting that
 * differs from what the image or cinfra's defaults would give becomes a prop, the rest is left out
 * (so the declaration reads like a hand-written one). References to the image, networks and volumes
 * must resolve to rows already in the stack's state. Pure.
 */
import { CinfraError } from "../../core/errors.js";
import { SCHEMAS } from "../../core/kinds/index.js";
import { CAPABILITIES } from "../../core/kinds/security-props.js";
import { RESOURCE_BRAND } from "../../core/model/check.js";
import { formatSize } from "../../core/model/units.js";
import { parseUrn, type Props, type ResourceState, type Urn } from "../../core/model/types.js";
import { effectiveEnv, type ImageDefaults } from "../../provider/linux/resources/container-inputs.js";
import { DEFAULT_CAPABILITIES } from "../../provider/linux/security/capabilities.js";
import { RLIMIT } from "../../provider/linux/security/defaults.js";
import { MS_RDONLY } from "../../provider/linux/sys/constants.js";
import { defaultContainerMounts, defaultDevices } from "../../provider/linux/supervise/spec.js";
import type { ContainerFacts, IdRange } from "./import-container-facts.js";
import { AUTO_BASE, AUTO_SIZE } from "../../provider/linux/resources/userns.js";

/** A reference to another resource of the stack, by urn, until it becomes a variable or a Ref. */
export class RefTo {
  constructor(readonly urn: Urn) {}
}

export type DeclValue = string | number | boolean | RefTo | DeclValue[] | { [key: string]: DeclValue };
export type DeclArgs = { [key: string]: DeclValue };

/** What the runtime reports live (through its `read`): restart policy, limits, run state. */
export interface LiveSettings {
  restart?: string;
  limits?: { memory?: string; cpus?: number; pids?: number };
  desiredState?: string;
}

const rowWith = (rows: readonly ResourceState[], kind: string, test: (r: ResourceState) => boolean) =>
  rows.find((r) => r.kind === kind && test(r));

function imageRef(facts: ContainerFacts, stack: string, rows: readonly ResourceState[]): RefTo {
  const row = rowWith(rows, "image", (r) => r.id === facts.image.id);
  if (!row) {
    throw new CinfraError("IMPORT_IMAGE_NOT_IN_STATE", `the container's image ${facts.image.id.slice(0, 19)} (${facts.image.names.join(", ") || "no name"}) ` +
      `is not in stack "${stack}": declare that Image in the program and apply it first, then import`);
  }
  return new RefTo(row.urn);
}

function processArgs(facts: ContainerFacts, image: ImageDefaults, name: string): DeclArgs {
  const { spec } = facts;
  const out: DeclArgs = {};
  // Docker's rule, inverted: an image entrypoint that still leads the args means only the command was declared.
  const entry = image.entrypoint ?? [];
  const leads = entry.length > 0 && entry.every((a, i) => spec.args[i] === a);
  const imageArgs = [...entry, ...(image.cmd ?? [])];
  if (JSON.stringify(spec.args) !== JSON.stringify(imageArgs)) {
    if (leads && spec.args.length > entry.length) out.command = spec.args.slice(entry.length);
    else if (entry.length === 0) out.command = spec.args;
    else out.entrypoint = spec.args;
  }
  const hostname = spec.hostname ?? facts.owner.name;
  const defaults = new Map(effectiveEnv({} as never, image, hostname).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  const env: Record<string, string> = {};
  for (const kv of spec.env) {
    const key = kv.slice(0, kv.indexOf("="));
    const value = kv.slice(kv.indexOf("=") + 1);
    if (defaults.get(key) !== value) env[key] = value;
  }
  if (Object.keys(env).length) out.env = env;
  if (spec.cwd !== (image.workdir ?? "/")) out.workdir = spec.cwd;
  if (hostname !== name) out.hostname = hostname;
  if (spec.init) out.init = true;
  return out;
}

const DEFAULT_SHM = 64 * 2 ** 20;

function storageArgs(facts: ContainerFacts, stack: string, rows: readonly ResourceState[]): DeclArgs {
  const out: DeclArgs = {};
  const defaults = new Set(defaultContainerMounts().map((m) => `${m.fstype}:${m.target}`));
  const mounts: DeclValue[] = [];
  const tmpfs: DeclValue[] = [];
  for (const m of facts.spec.mounts) {
    if (m.target === "/dev/shm" && m.fstype === "tmpfs") {
      const bytes = Number(/size=(\d+)/.exec(m.data)?.[1] ?? DEFAULT_SHM);
      if (bytes !== DEFAULT_SHM) out.shmSize = formatSize(bytes);
      continue;
    }
    if (defaults.has(`${m.fstype}:${m.target}`)) continue;
    if (m.fstype === "tmpfs") {
      const opts = Object.fromEntries(m.data.split(",").filter(Boolean).map((o) => o.split("=")));
      const entry: { [key: string]: DeclValue } = { target: m.target };
      if (opts.size) entry.size = formatSize(Number(opts.size));
      if (opts.mode && opts.mode !== "1777") entry.mode = parseInt(opts.mode, 8);
      tmpfs.push(Object.keys(entry).length === 1 ? m.target : entry);
      continue;
    }
    if (m.source.startsWith(`${facts.dir}/`)) continue; // the managed /etc/hosts, hostname, resolv.conf
    const volume = rowWith(rows, "volume", (r) => r.outputs.mountpoint === m.source);
    if (!volume && m.source.includes("/volumes/")) {
      throw new CinfraError("IMPORT_VOLUME_NOT_IN_STATE", `the container mounts volume dir ${m.source}, which no volume of stack "${stack}" owns: apply that Volume first`);
    }
    const entry: { [key: string]: DeclValue } = volume ? { volume: new RefTo(volume.urn), target: m.target } : { hostPath: m.source, target: m.target };
    if (m.flags & MS_RDONLY) entry.readOnly = true;
    mounts.push(entry);
  }
  if (mounts.length) out.mounts = mounts;
  if (tmpfs.length) out.tmpfs = tmpfs;
  // Host devices passed in keep their path inside; a renamed target or narrowed permissions are not in the spec.
  const builtIn = new Set(defaultDevices().devices.map((d) => d.path));
  const devices = facts.spec.devices.filter((d) => !builtIn.has(d));
  if (devices.length) out.devices = devices;
  return out;
}

function networkArgs(facts: ContainerFacts, stack: string, rows: readonly ResourceState[]): DeclArgs {
  if (facts.spec.netns === undefined) return { network: "host" };
  const networks = facts.attachments.map((a): DeclValue => {
    const row = rowWith(rows, "network", (r) => r.id === a.networkId);
    if (!row) throw new CinfraError("IMPORT_NETWORK_NOT_IN_STATE", `the container is on network "${a.networkName}" (${a.networkId}), which is not in stack "${stack}": apply that Network first`);
    return a.aliases.length ? { network: new RefTo(row.urn), aliases: a.aliases } : new RefTo(row.urn);
  });
  const out: DeclArgs = networks.length ? { networks } : {};
  if (facts.ports.length) {
    out.ports = facts.ports.map((p) => {
      const port: { [key: string]: DeclValue } = { host: p.host, container: p.container };
      if (p.protocol !== "tcp") port.protocol = p.protocol;
      if (p.hostIp !== "0.0.0.0") port.hostIp = p.hostIp;
      return port;
    });
  }
  return out;
}

/** "auto" when the maps are one of cinfra's pool ranges, else the maps as they are. */
function usernsArg(uidMap: IdRange[], gidMap: IdRange[]): DeclValue {
  const [u] = uidMap;
  const pooled = uidMap.length === 1 && u.containerId === 0 && u.size === AUTO_SIZE && u.hostId >= AUTO_BASE && (u.hostId - AUTO_BASE) % AUTO_SIZE === 0;
  if (pooled && JSON.stringify(gidMap) === JSON.stringify(uidMap)) return "auto";
  const list = (map: IdRange[]) => map.map((r) => ({ containerId: r.containerId, hostId: r.hostId, size: r.size }));
  return JSON.stringify(gidMap) === JSON.stringify(uidMap) ? { uidMap: list(uidMap) } : { uidMap: list(uidMap), gidMap: list(gidMap) };
}

function securityArgs(facts: ContainerFacts): DeclArgs {
  const { spec } = facts;
  const out: DeclArgs = {};
  if (spec.maskedPaths.length === 0) {
    out.privileged = true;
  } else {
    if (!spec.seccomp) out.seccomp = "unconfined";
    const live = CAPABILITIES.filter((_, bit) => ((spec.capabilities ?? 0n) >> BigInt(bit)) & 1n);
    const base: readonly string[] = DEFAULT_CAPABILITIES;
    const add = live.filter((c) => !base.includes(c));
    const drop = base.filter((c) => !(live as readonly string[]).includes(c));
    if (add.length || drop.length) out.capabilities = { ...(add.length ? { add } : {}), ...(drop.length ? { drop } : {}) };
  }
  if (!spec.noNewPrivileges) out.noNewPrivileges = false;
  if (spec.readonlyRootfs) out.readOnlyRootfs = true;
  const sysctls = { ...spec.sysctls };
  if (spec.uidMap.length) {
    out.userns = usernsArg(spec.uidMap, spec.gidMap);
    delete sysctls["net.ipv4.ip_unprivileged_port_start"]; // cinfra's own addition for a remapped root
  }
  if (Object.keys(sysctls).length) out.sysctls = sysctls;
  const names = Object.fromEntries(Object.entries(RLIMIT).map(([name, n]) => [n, name]));
  if (spec.rlimits.length) {
    out.ulimits = Object.fromEntries(spec.rlimits.map((r) => [names[r.resource], r.soft === r.hard ? r.soft : { soft: r.soft, hard: r.hard }]));
  }
  return out;
}

/** The SDK args (with RefTo for references) that declare the container as it is. */
export function declareContainer(
  facts: ContainerFacts, name: string, stack: string, rows: readonly ResourceState[], image: ImageDefaults, live: LiveSettings, user: string | undefined,
): DeclArgs {
  const args: DeclArgs = { image: imageRef(facts, stack, rows), ...processArgs(facts, image, name) };
  if (user) args.user = user;
  if (live.limits && Object.keys(live.limits).length) args.limits = live.limits as DeclArgs;
  Object.assign(args, networkArgs(facts, stack, rows), storageArgs(facts, stack, rows), securityArgs(facts));
  if (live.restart && live.restart !== "no") args.restart = live.restart;
  if (live.desiredState && live.desiredState !== "running") args.desiredState = live.desiredState;
  return args;
}

/** Canonical props, validated by the container schema exactly as the SDK would for the printed declaration. */
export function declaredProps(args: DeclArgs, name: string): Props {
  const toSdk = (v: DeclValue): unknown => {
    if (v instanceof RefTo) {
      const { kind, name: refName } = parseUrn(v.urn);
      return { [RESOURCE_BRAND]: true, kind, name: refName, urn: v.urn };
    }
    if (Array.isArray(v)) return v.map(toSdk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toSdk(x)]));
    return v;
  };
  return SCHEMAS.container.normalize(toSdk(args), `container.${name}`);
}
