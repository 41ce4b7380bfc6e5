import {
  ABSOLUTE_PATH, array, boolean, fail, isResource, number, oneOf, record, reference, string, stringArray, stringMap,
} from "../model/check.js";
import { cidrContains, formatSize, parseCidr, parseIpv4, parseSize } from "../model/units.js";
import type { Props, PropValue } from "../model/types.js";
import type { KindSchema } from "./kind-schema.js";
import { normalizeCapabilities, normalizeSysctls, normalizeTmpfs, normalizeUlimits } from "./security-props.js";
import { normalizeUserns } from "./userns-props.js";
import { normalizeSeccomp } from "./seccomp-profile.js";
import { normalizeHugepages, normalizeNetClassId, normalizeNetPriorities } from "./limit-props.js";

export const DESIRED_STATES = ["running", "stopped", "paused"] as const;
export const RESTART_POLICIES = ["no", "on-failure", "always", "unless-stopped"] as const;
const RESTART = { re: /^(no|always|unless-stopped|on-failure(:[1-9]\d{0,5})?)$/, what: 'one of "no", "on-failure[:max-retries]", "always", "unless-stopped"' };
const ENV_NAME = { re: /^[A-Za-z_][A-Za-z0-9_]*$/, what: "an environment variable name" };
const HOSTNAME = { re: /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/, what: "a valid hostname label" };
const ALIAS = { re: /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, what: "a valid DNS name" };
const USER = { re: /^([a-z_][a-z0-9_-]*|\d+)(:([a-z_][a-z0-9_-]*|\d+))?$/, what: "a user as name, uid or uid:gid" };
const SIGNAL = { re: /^SIG[A-Z0-9]+$/, what: "a signal name like SIGTERM" };

function size(value: unknown, path: string, min = 0): string {
  const bytes = typeof value === "string" || typeof value === "number" ? parseSize(value) : null;
  if (bytes === null) fail(path, `${JSON.stringify(value)} is not a size (like "64Mi", "1Gi", "512m")`);
  if (bytes < min) fail(path, `${JSON.stringify(value)} is below the ${formatSize(min)} minimum`);
  return formatSize(bytes);
}

const CPU_LIST = { re: /^\d+(-\d+)?(,\d+(-\d+)?)*$/, what: 'a CPU or node list like "0-1,3"' };
const DEVICE = { re: /^\d+:\d+$/, what: 'a block device as "major:minor"' };

function normalizeBlkio(raw: unknown, path: string): Props {
  const b = record(raw, path, ["weight", "throttle"]);
  const out: Props = {};
  if (b.weight !== undefined) out.weight = number(b.weight, `${path}.weight`, { min: 10, max: 1000, integer: true });
  if (b.throttle !== undefined) {
    out.throttle = array(b.throttle, `${path}.throttle`).map((t, i) => {
      const at = `${path}.throttle[${i}]`;
      const r = record(t, at, ["device", "readBps", "writeBps", "readIops", "writeIops"]);
      const o: Props = { device: string(r.device, `${at}.device`, DEVICE) };
      for (const key of ["readBps", "writeBps", "readIops", "writeIops"] as const) {
        if (r[key] !== undefined) o[key] = number(r[key], `${at}.${key}`, { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true });
      }
      return o;
    });
  }
  return out;
}

function normalizeLimits(raw: unknown, path: string): Props {
  const limits = record(raw, path, [
    "memory", "memoryReservation", "memorySwap", "cpus", "cpuShares", "cpuset", "pids", "blkio", "netClassId", "netPriorities", "hugepages",
  ]);
  const out: Props = {};
  if (limits.memory !== undefined) out.memory = size(limits.memory, `${path}.memory`, 6 * 2 ** 20);
  if (limits.memoryReservation !== undefined) out.memoryReservation = size(limits.memoryReservation, `${path}.memoryReservation`);
  if (limits.memorySwap !== undefined) {
    out.memorySwap = limits.memorySwap === -1 ? -1 : size(limits.memorySwap, `${path}.memorySwap`);
    if (out.memory === undefined) fail(`${path}.memorySwap`, "needs limits.memory (it is memory plus swap, as in Docker)");
  }
  if (limits.cpuShares !== undefined) out.cpuShares = number(limits.cpuShares, `${path}.cpuShares`, { min: 2, max: 262144, integer: true });
  if (limits.cpuset !== undefined) {
    const c = record(limits.cpuset, `${path}.cpuset`, ["cpus", "mems"]);
    const cpuset: Props = {};
    if (c.cpus !== undefined) cpuset.cpus = string(c.cpus, `${path}.cpuset.cpus`, CPU_LIST);
    if (c.mems !== undefined) cpuset.mems = string(c.mems, `${path}.cpuset.mems`, CPU_LIST);
    out.cpuset = cpuset;
  }
  if (limits.blkio !== undefined) out.blkio = normalizeBlkio(limits.blkio, `${path}.blkio`);
  if (limits.cpus !== undefined) out.cpus = number(limits.cpus, `${path}.cpus`, { min: 0.01, max: 1024 });
  if (limits.pids !== undefined) out.pids = number(limits.pids, `${path}.pids`, { min: 1, max: 4194304, integer: true });
  if (limits.netClassId !== undefined) out.netClassId = normalizeNetClassId(limits.netClassId, `${path}.netClassId`);
  if (limits.netPriorities !== undefined) out.netPriorities = normalizeNetPriorities(limits.netPriorities, `${path}.netPriorities`);
  if (limits.hugepages !== undefined) out.hugepages = normalizeHugepages(limits.hugepages, `${path}.hugepages`);
  return out;
}

function normalizeNetworks(raw: unknown, path: string): PropValue[] {
  return array(raw, path).map((entry, i) => {
    const at = `${path}[${i}]`;
    if (isResource(entry)) return { network: reference(entry, at, "network") };
    const att = record(entry, at, ["network", "ipv4", "aliases"]);
    const out: Props = { network: reference(att.network, `${at}.network`, "network") };
    if (att.ipv4 !== undefined) {
      const ip = string(att.ipv4, `${at}.ipv4`);
      if (parseIpv4(ip) === null) fail(`${at}.ipv4`, `${JSON.stringify(ip)} is not an IPv4 address`);
      out.ipv4 = ip;
    }
    if (att.aliases !== undefined) out.aliases = stringArray(att.aliases, `${at}.aliases`).map((a, j) => string(a, `${at}.aliases[${j}]`, ALIAS));
    return out;
  });
}

function normalizeMounts(raw: unknown, path: string): PropValue[] {
  const targets = new Set<string>();
  return array(raw, path).map((entry, i) => {
    const at = `${path}[${i}]`;
    const mount = record(entry, at, ["volume", "hostPath", "target", "readOnly"]);
    const target = string(mount.target, `${at}.target`, ABSOLUTE_PATH);
    if (targets.has(target)) fail(`${at}.target`, `${target} is mounted twice`);
    targets.add(target);
    const out: Props = { target };
    if ((mount.volume === undefined) === (mount.hostPath === undefined)) fail(at, "needs exactly one of volume or hostPath");
    if (mount.volume !== undefined) out.volume = reference(mount.volume, `${at}.volume`, "volume");
    if (mount.hostPath !== undefined) out.hostPath = string(mount.hostPath, `${at}.hostPath`, ABSOLUTE_PATH);
    if (mount.readOnly !== undefined) out.readOnly = boolean(mount.readOnly, `${at}.readOnly`);
    return out;
  });
}

function normalizePorts(raw: unknown, path: string): PropValue[] {
  const seen = new Set<string>();
  return array(raw, path).map((entry, i) => {
    const at = `${path}[${i}]`;
    const p = record(entry, at, ["host", "container", "protocol", "hostIp"]);
    const out: Props = {
      host: number(p.host, `${at}.host`, { min: 1, max: 65535, integer: true }),
      container: number(p.container, `${at}.container`, { min: 1, max: 65535, integer: true }),
      protocol: p.protocol === undefined ? "tcp" : oneOf(p.protocol, `${at}.protocol`, ["tcp", "udp"] as const),
      hostIp: p.hostIp === undefined ? "0.0.0.0" : string(p.hostIp, `${at}.hostIp`),
    };
    if (parseIpv4(out.hostIp as string) === null) fail(`${at}.hostIp`, `${JSON.stringify(out.hostIp)} is not an IPv4 address`);
    const key = `${out.protocol}/${out.host}`;
    if (seen.has(key)) fail(`${at}.host`, `${out.protocol} port ${out.host} is published twice`);
    seen.add(key);
    return out;
  });
}

/** `{ container: web }`: join that container's namespace instead of creating one (Docker's `container:web` mode). */
function sharedWith(raw: unknown, path: string): Props {
  const mode = record(raw, path, ["container"]);
  return { container: reference(mode.container, `${path}.container`, "container") };
}

/** "none" | "host" | `{ container }`; the last, like Docker, owns no addressing, names or ports of its own. */
function normalizeNetworkMode(props: Record<string, unknown>, path: string): PropValue {
  const mode = typeof props.network === "string"
    ? oneOf(props.network, path, ["none", "host"] as const)
    : sharedWith(props.network, path);
  const what = typeof mode === "string" ? `"${mode}"` : "a shared network namespace";
  if (props.networks !== undefined) fail(path, `${what} cannot be combined with networks`);
  if (typeof mode !== "string") {
    for (const key of ["ports", "hostname"] as const) {
      if (props[key] !== undefined) fail(path, `a shared network namespace cannot be combined with ${key} (they belong to the container that owns it)`);
    }
  }
  return mode;
}

export const containerSchema: KindSchema = {
  kind: "container",
  normalize(raw, path) {
    const props = record(raw, path, [
      "image", "command", "entrypoint", "env", "workdir", "user", "hostname", "limits", "networks", "network", "mounts",
      "restart", "stopTimeout", "stopSignal", "init", "capabilities", "privileged", "readOnlyRootfs", "noNewPrivileges",
      "sysctls", "ulimits", "tmpfs", "seccomp", "desiredState", "ports", "shmSize", "devices", "ipc", "pid", "userns",
    ]);
    const out: Props = { image: reference(props.image, `${path}.image`, "image") };
    if (props.command !== undefined) out.command = stringArray(props.command, `${path}.command`, { nonEmpty: true });
    if (props.entrypoint !== undefined) out.entrypoint = stringArray(props.entrypoint, `${path}.entrypoint`);
    if (props.env !== undefined) out.env = stringMap(props.env, `${path}.env`, ENV_NAME);
    if (props.workdir !== undefined) out.workdir = string(props.workdir, `${path}.workdir`, ABSOLUTE_PATH);
    if (props.user !== undefined) out.user = string(props.user, `${path}.user`, USER);
    if (props.hostname !== undefined) out.hostname = string(props.hostname, `${path}.hostname`, HOSTNAME);
    if (props.limits !== undefined) out.limits = normalizeLimits(props.limits, `${path}.limits`);
    if (props.networks !== undefined) out.networks = normalizeNetworks(props.networks, `${path}.networks`);
    if (props.network !== undefined) out.network = normalizeNetworkMode(props, `${path}.network`);
    if (props.ipc !== undefined) out.ipc = sharedWith(props.ipc, `${path}.ipc`);
    if (props.pid !== undefined) {
      out.pid = sharedWith(props.pid, `${path}.pid`);
      // In a joined pid namespace the program is not PID 1 (the owner's process is): an init of its own would reap nothing.
      if (props.init === true) fail(`${path}.pid`, "a shared pid namespace cannot be combined with init: true (the owning container's PID 1 is the init there)");
    }
    if (props.mounts !== undefined) out.mounts = normalizeMounts(props.mounts, `${path}.mounts`);
    if (props.restart !== undefined) out.restart = string(props.restart, `${path}.restart`, RESTART);
    if (props.stopTimeout !== undefined) out.stopTimeout = number(props.stopTimeout, `${path}.stopTimeout`, { min: 0, max: 3600 });
    if (props.stopSignal !== undefined) out.stopSignal = string(props.stopSignal, `${path}.stopSignal`, SIGNAL);
    if (props.init !== undefined) out.init = boolean(props.init, `${path}.init`);
    if (props.capabilities !== undefined) out.capabilities = normalizeCapabilities(props.capabilities, `${path}.capabilities`);
    if (props.privileged !== undefined) out.privileged = boolean(props.privileged, `${path}.privileged`);
    if (props.readOnlyRootfs !== undefined) out.readOnlyRootfs = boolean(props.readOnlyRootfs, `${path}.readOnlyRootfs`);
    if (props.noNewPrivileges !== undefined) out.noNewPrivileges = boolean(props.noNewPrivileges, `${path}.noNewPrivileges`);
    if (props.sysctls !== undefined) out.sysctls = normalizeSysctls(props.sysctls, `${path}.sysctls`);
    if (props.ulimits !== undefined) out.ulimits = normalizeUlimits(props.ulimits, `${path}.ulimits`);
    if (props.tmpfs !== undefined) out.tmpfs = normalizeTmpfs(props.tmpfs, `${path}.tmpfs`);
    if (props.shmSize !== undefined) out.shmSize = size(props.shmSize, `${path}.shmSize`, 2 ** 20);
    if (props.devices !== undefined) {
      out.devices = array(props.devices, `${path}.devices`).map((d, i) => {
        const at = `${path}.devices[${i}]`;
        const dev = typeof d === "string" ? { path: d } : record(d, at, ["path", "target", "permissions"]);
        const o: Props = { path: string(dev.path, `${at}.path`, { re: /^\/dev\/[^\s]+$/, what: "a host device under /dev" }) };
        if (dev.target !== undefined) o.target = string(dev.target, `${at}.target`, { re: /^\/dev\/[^\s]+$/, what: "a path under /dev" });
        if (dev.permissions !== undefined) o.permissions = string(dev.permissions, `${at}.permissions`, { re: /^r?w?m?$/, what: 'a subset of "rwm"' });
        return o;
      });
    }
    if (props.ports !== undefined) out.ports = normalizePorts(props.ports, `${path}.ports`);
    if (props.desiredState !== undefined) out.desiredState = oneOf(props.desiredState, `${path}.desiredState`, DESIRED_STATES);
    if (props.seccomp !== undefined) out.seccomp = normalizeSeccomp(props.seccomp, `${path}.seccomp`);
    if (props.userns !== undefined) {
      out.userns = normalizeUserns(props.userns, `${path}.userns`);
      // Docker refuses the pair too: privileged means host root, which a remapped root is not.
      if (out.privileged === true) fail(`${path}.userns`, "cannot be combined with privileged: true");
    }
    return out;
  },
  // cgroup limits are rewritten live; restart/stop settings are policy read by cinfra, not baked into the process.
  updatable: ["limits", "restart", "stopTimeout", "stopSignal", "desiredState"],
  outputs: ["id", "pid", "ipAddresses", "startedAt"],
};

/** Static addresses must sit inside their network's subnet: checked once both are known (plan time). */
export function ipOutsideSubnet(ip: string, subnet: string): boolean {
  const cidr = parseCidr(subnet);
  const address = parseIpv4(ip);
  return !cidr || address === null || !cidrContains(cidr, address);
}
