/**
 * Typed view of a container's canonical props (validated by core/kinds/container.ts), and the
 * effective process settings: what the user declared, falling back to the image's config.
 */
import { RuntimeError } from "../../../core/errors.js";
import { parseSize } from "../../../core/model/units.js";
import type { Props, Ref } from "../../../core/model/types.js";
import type { CgroupLimits } from "../cgroups/index.js";
import { DEFAULT_DEVICE_RULES } from "../cgroups/types.js";
import type { SeccompProfile } from "../security/seccomp-profile.js";

export interface ContainerInputs {
  image: Ref;
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  workdir?: string;
  user?: string;
  hostname?: string;
  limits?: {
    memory?: string; memoryReservation?: string; memorySwap?: string | -1; cpus?: number; cpuShares?: number; pids?: number;
    cpuset?: { cpus?: string; mems?: string };
    blkio?: { weight?: number; throttle?: { device: string; readBps?: number; writeBps?: number; readIops?: number; writeIops?: number }[] };
    netClassId?: number; netPriorities?: Record<string, number>; hugepages?: Record<string, string>;
  };
  networks?: { network: Ref; ipv4?: string; aliases?: string[] }[];
  network?: "none" | "host" | { container: Ref };
  ipc?: { container: Ref };
  pid?: { container: Ref };
  mounts?: { volume?: Ref; hostPath?: string; target: string; readOnly?: boolean }[];
  restart?: string;
  stopTimeout?: number;
  stopSignal?: string;
  init?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  privileged?: boolean;
  readOnlyRootfs?: boolean;
  noNewPrivileges?: boolean;
  sysctls?: Record<string, string>;
  ulimits?: Record<string, { soft: number; hard: number }>;
  tmpfs?: { target: string; size?: string; mode?: number }[];
  seccomp?: "default" | "unconfined" | SeccompProfile;
  desiredState?: "running" | "stopped" | "paused";
  ports?: { host: number; container: number; protocol?: "tcp" | "udp"; hostIp?: string }[];
  shmSize?: string;
  devices?: { path: string; target?: string; permissions?: string }[];
  userns?: "auto" | { uidMap: IdRange[]; gidMap: IdRange[] };
}

export interface IdRange {
  containerId: number;
  hostId: number;
  size: number;
}

export interface ImageDefaults {
  env?: Record<string, string>;
  cmd?: string[];
  entrypoint?: string[];
  workdir?: string;
  user?: string;
}

export const asContainerInputs = (props: Props) => props as unknown as ContainerInputs;

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Docker's rule: a declared entrypoint drops the image's Cmd unless a command is declared too. */
export function effectiveArgs(inputs: ContainerInputs, image: ImageDefaults): string[] {
  const entrypoint = inputs.entrypoint ?? image.entrypoint ?? [];
  const command = inputs.command ?? (inputs.entrypoint ? [] : image.cmd ?? []);
  const args = [...entrypoint, ...command];
  if (args.length === 0) throw new RuntimeError("NO_COMMAND", "the container declares no command and its image has no Cmd/Entrypoint");
  return args;
}

export function effectiveEnv(inputs: ContainerInputs, image: ImageDefaults, hostname: string): string[] {
  const env: Record<string, string> = { PATH: DEFAULT_PATH, ...image.env, HOSTNAME: hostname, ...inputs.env };
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

export function cgroupLimits(limits: ContainerInputs["limits"]): CgroupLimits {
  const out: CgroupLimits = {};
  if (limits?.memory !== undefined) out.memory = parseSize(limits.memory) ?? undefined;
  if (limits?.cpus !== undefined) out.cpus = limits.cpus;
  if (limits?.pids !== undefined) out.pids = limits.pids;
  if (limits?.memoryReservation !== undefined) out.memoryReservation = parseSize(limits.memoryReservation) ?? undefined;
  if (limits?.memorySwap !== undefined) out.memorySwap = limits.memorySwap === -1 ? -1 : parseSize(limits.memorySwap) ?? undefined;
  if (limits?.cpuShares !== undefined) out.cpuShares = limits.cpuShares;
  if (limits?.cpuset?.cpus !== undefined) out.cpusetCpus = limits.cpuset.cpus;
  if (limits?.cpuset?.mems !== undefined) out.cpusetMems = limits.cpuset.mems;
  if (limits?.blkio?.weight !== undefined) out.blkioWeight = limits.blkio.weight;
  if (limits?.blkio?.throttle !== undefined) out.blkioThrottle = limits.blkio.throttle;
  if (limits?.netClassId !== undefined) out.netClassId = limits.netClassId;
  if (limits?.netPriorities !== undefined) out.netPriorities = limits.netPriorities;
  if (limits?.hugepages !== undefined) {
    out.hugepages = Object.fromEntries(Object.entries(limits.hugepages).map(([size, value]) => [size, parseSize(value) ?? 0]));
  }
  return out;
}

/** Limits plus the create-time device policy: Docker's list plus passed-in devices, everything when privileged. */
export function cgroupCreateLimits(inputs: ContainerInputs, devices: { type: "c" | "b"; major: number; minor: number; permissions: string }[]): CgroupLimits {
  if (inputs.privileged) return { ...cgroupLimits(inputs.limits), deviceRules: ["a"] };
  const extra = devices.map((d) => `${d.type} ${d.major}:${d.minor} ${d.permissions}`);
  return { ...cgroupLimits(inputs.limits), ...(extra.length ? { deviceRules: [...DEFAULT_DEVICE_RULES, ...extra] } : {}) };
}
