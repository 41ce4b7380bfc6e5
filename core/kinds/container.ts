import {
  ABSOLUTE_PATH, array, boolean, fail, isResource, number, oneOf, record, reference, string, stringArray, stringMap,
} from "../model/check.js";
import { cidrContains, formatSize, parseCidr, parseIpv4, parseSize } from "../model/units.js";
import type { Props, PropValue } from "../model/types.js";
import type { KindSchema } from "./kind-schema.js";
import { normalizeCapabilities, normalizeSysctls, normalizeTmpfs, normalizeUlimits } from "./security-props.js";

export const DESIRED_STATES = ["running", "stopped", "paused"] as const;
export const RESTART_POLICIES = ["no", "on-failure", "always", "unless-stopped"] as const;
const RESTART = { re: /^(no|always|unless-stopped|on-failure(:[1-9]\d{0,5})?)$/, what: 'one of "no", "on-failure[:max-retries]", "always", "unless-stopped"' };
const ENV_NAME = { re: /^[A-Za-z_][A-Za-z0-9_]*$/, what: "an environment variable name" };
const HOSTNAME = { re: /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/, what: "a valid hostname label" };
const ALIAS = { re: /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/, what: "a valid DNS name" };
const USER = { re: /^([a-z_][a-z0-9_-]*|\d+)(:([a-z_][a-z0-9_-]*|\d+))?$/, what: "a user as name, uid or uid:gid" };
const SIGNAL = { re: /^SIG[A-Z0-9]+$/, what: "a signal name like SIGTERM" };

function normalizeLimits(raw: unknown, path: string): Props {
  const limits = record(raw, path, ["memory", "cpus", "pids"]);
  const out: Props = {};
  if (limits.memory !== undefined) {
    const bytes = typeof limits.memory === "string" || typeof limits.memory === "number" ? parseSize(limits.memory) : null;
    if (bytes === null) fail(`${path}.memory`, `${JSON.stringify(limits.memory)} is not a size (like "64Mi", "1Gi", "512m")`);
    if (bytes < 6 * 2 ** 20) fail(`${path}.memory`, `${JSON.stringify(limits.memory)} is below the 6Mi minimum`);
    out.memory = formatSize(bytes);
  }
  if (limits.cpus !== undefined) out.cpus = number(limits.cpus, `${path}.cpus`, { min: 0.01, max: 1024 });
  if (limits.pids !== undefined) out.pids = number(limits.pids, `${path}.pids`, { min: 1, max: 4194304, integer: true });
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

export const containerSchema: KindSchema = {
  kind: "container",
  normalize(raw, path) {
    const props = record(raw, path, [
      "image", "command", "entrypoint", "env", "workdir", "user", "hostname", "limits", "networks", "network", "mounts",
      "restart", "stopTimeout", "stopSignal", "init", "capabilities", "privileged", "readOnlyRootfs", "noNewPrivileges",
      "sysctls", "ulimits", "tmpfs", "seccomp", "desiredState", "ports",
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
    if (props.network !== undefined) {
      out.network = oneOf(props.network, `${path}.network`, ["none", "host"] as const);
      if (out.networks !== undefined) fail(`${path}.network`, `"${out.network}" cannot be combined with networks`);
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
    if (props.ports !== undefined) out.ports = normalizePorts(props.ports, `${path}.ports`);
    if (props.desiredState !== undefined) out.desiredState = oneOf(props.desiredState, `${path}.desiredState`, DESIRED_STATES);
    if (props.seccomp !== undefined) out.seccomp = oneOf(props.seccomp, `${path}.seccomp`, ["default", "unconfined"] as const);
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
