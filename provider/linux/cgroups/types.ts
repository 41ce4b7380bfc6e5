import type { ContainerStats } from "../../../core/runtime.js";

/**
 * One cgroup manager interface, one implementation per cgroup version (youki's model). The root
 * is a parameter, so the same code runs against /sys/fs/cgroup and a cgroupfs-shaped temp dir.
 *
 * Kernel files each limit writes:
 * | limit             | v1                                             | v2                      |
 * | memory            | memory/…/memory.limit_in_bytes                 | memory.max              |
 * | memoryReservation | memory/…/memory.soft_limit_in_bytes            | memory.low              |
 * | memorySwap        | memory/…/memory.memsw.limit_in_bytes           | memory.swap.max (=swap-memory) |
 * | cpus              | cpu/…/cpu.cfs_quota_us + cpu.cfs_period_us     | cpu.max "quota period"  |
 * | cpuShares         | cpu/…/cpu.shares                               | cpu.weight (converted)  |
 * | cpusetCpus/Mems   | cpuset/…/cpuset.cpus, cpuset.mems              | cpuset.cpus, cpuset.mems |
 * | pids              | pids/…/pids.max                                | pids.max                |
 * | blkioWeight       | blkio/…/blkio.weight                           | io.weight "default N"   |
 * | deviceRules       | devices/…/devices.deny "a" then devices.allow  | not enforced (needs a BPF device program) |
 */
export interface BlkioThrottle {
  device: string;
  readBps?: number;
  writeBps?: number;
  readIops?: number;
  writeIops?: number;
}

export interface CgroupLimits {
  memory?: number;
  memoryReservation?: number;
  memorySwap?: number;
  cpus?: number;
  cpuShares?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  pids?: number;
  blkioWeight?: number;
  blkioThrottle?: BlkioThrottle[];
  /** Device allow rules ("c 1:3 rwm"); absent = Docker's default list; ["a"] = everything (privileged). Set at create. */
  deviceRules?: string[];
}

/** Docker's default device allow list: any node may be created, only these opened. */
export const DEFAULT_DEVICE_RULES = [
  "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm",
  "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
];

/** What `cinfra stats` shows, read from the cgroup files (the core type, so runtimes agree on it). */
export type CgroupStats = ContainerStats;

export interface CgroupManager {
  readonly version: 1 | 2;
  /** Create the container's cgroup(s) and write its limits; idempotent. */
  create(id: string, limits: CgroupLimits): Promise<void>;
  /** The cgroup.procs files the container's init writes "0" into before exec. */
  procsFiles(id: string): string[];
  /** Rewrite limits live; a refused write throws SyscallError naming the file and keeps the old values. */
  update(id: string, limits: CgroupLimits): Promise<void>;
  /** Limits as the kernel files hold them (for drift detection). */
  read(id: string): Promise<CgroupLimits>;
  stats(id: string): Promise<CgroupStats>;
  pids(id: string): Promise<number[]>;
  kill(id: string): Promise<void>;
  freeze(id: string): Promise<void>;
  thaw(id: string): Promise<void>;
  frozen(id: string): Promise<boolean>;
  /** Wait until empty and remove every directory; idempotent. */
  destroy(id: string): Promise<void>;
  /** Ids under cinfra's parent (leftovers, drift). */
  list(): Promise<string[]>;
  /** Remove cinfra's parent cgroup(s) when no container cgroup is left under them. */
  removeParent(): Promise<void>;
}

export const CPU_PERIOD_US = 100_000;

/** Docker's cpu.shares (2..262144, default 1024) to cgroup v2's cpu.weight (1..10000, default 100). */
export function sharesToWeight(shares: number): number {
  return Math.round(1 + ((shares - 2) * 9999) / 262142);
}

export function cpusToQuota(cpus: number): number {
  return Math.round(cpus * CPU_PERIOD_US);
}
