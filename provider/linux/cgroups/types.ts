import type { ContainerStats } from "../../../core/runtime.js";

/**
 * One cgroup manager interface, one implementation per cgroup version (youki's model). The root
 * is a parameter, so the same code runs against /sys/fs/cgroup and a cgroupfs-shaped temp dir.
 *
 * The kernel file each limit writes (v1 paths are `<root>/<controller>/<parent>/<id>/<file>`,
 * v2 paths `<root>/<parent>/<id>/<file>`):
 * | limit             | v1                                                  | v2                                     |
 * |-------------------|-----------------------------------------------------|----------------------------------------|
 * | memory            | memory.limit_in_bytes                               | memory.max (refused below usage: EBUSY) |
 * | memoryReservation | memory.soft_limit_in_bytes                          | memory.low                             |
 * | memorySwap        | memory.memsw.limit_in_bytes (memory + swap)         | memory.swap.max (= memorySwap - memory) |
 * | cpus              | cpu.cfs_period_us = 100000, cpu.cfs_quota_us        | cpu.max "<quota> 100000"               |
 * | cpuShares         | cpu.shares                                          | cpu.weight (sharesToWeight)            |
 * | cpusetCpus/Mems   | cpuset.cpus, cpuset.mems                            | cpuset.cpus, cpuset.mems               |
 * | pids              | pids.max                                            | pids.max                               |
 * | blkioWeight       | blkio.weight, else blkio.bfq.weight                 | io.bfq.weight, else io.weight (converted) |
 * | blkioThrottle     | blkio.throttle.{read,write}_{bps,iops}_device       | io.max "maj:min rbps= wbps= riops= wiops=" |
 * | deviceRules       | devices.deny "a" then devices.allow (create only)   | a BPF device program (v2-devices.ts)   |
 * | netClassId        | net_cls.classid                                     | none: refused (ValidationError)        |
 * | netPriorities     | net_prio.ifpriomap "<ifname> <prio>" per interface  | none: refused (ValidationError)        |
 * | hugepages         | hugetlb.<size>.limit_in_bytes                       | hugetlb.<size>.max                     |
 * v2 has no device files: the rules compile to a BPF_PROG_TYPE_CGROUP_DEVICE program, loaded with
 * bpf(BPF_PROG_LOAD) and attached to the cgroup's directory fd with bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE,
 * BPF_F_ALLOW_MULTI); BPF_PROG_QUERY reads it back, BPF_PROG_DETACH frees it on destroy.
 * A file the kernel does not offer (no swap accounting, no BFQ, controller absent) fails the write
 * with SyscallError ENOENT naming it: a limit is applied or refused, never silently dropped.
 */
export interface BlkioThrottle {
  /** "major:minor" of a block device. */
  device: string;
  readBps?: number;
  writeBps?: number;
  readIops?: number;
  writeIops?: number;
}

/** All optional: absent = leave as is on update, kernel default on create. */
export interface CgroupLimits {
  /** Bytes. */
  memory?: number;
  /** Bytes; a soft limit (v1) / protection (v2). */
  memoryReservation?: number;
  /** Docker semantics: memory + swap total in bytes, -1 = unlimited swap. */
  memorySwap?: number;
  /** Fractional CPUs, as a CFS quota over a 100 ms period. */
  cpus?: number;
  /** Docker's 2..262144 (default 1024). */
  cpuShares?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  pids?: number;
  /** 10..1000. */
  blkioWeight?: number;
  /** The full per-device throttle list: devices left out lose their rules. */
  blkioThrottle?: BlkioThrottle[];
  /** net_cls class id (0 = none). */
  netClassId?: number;
  /** net_prio priority per host interface; the full map (interfaces left out go back to 0). */
  netPriorities?: Record<string, number>;
  /** hugetlb limit in bytes per page size ("2MB"); the full map (sizes left out go back to unlimited). */
  hugepages?: Record<string, number>;
  /** Device allow rules ("c 1:3 rwm"); absent = Docker's default list; ["a"] = everything (privileged). Create only. */
  deviceRules?: string[];
}

/** An update: a value sets the limit, null puts the kernel default back, absent leaves it alone. */
export type CgroupLimitsUpdate = { [K in keyof CgroupLimits]?: CgroupLimits[K] | null };

/** Docker's default device allow list: any node may be created, only these opened. */
export const DEFAULT_DEVICE_RULES = [
  "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm",
  "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
];

/** What `cinfra stats` shows, read from the cgroup files (the core type, so runtimes agree on it). */
export type CgroupStats = ContainerStats;

export interface CgroupManager {
  readonly version: 1 | 2;
  /** Create the container's cgroup(s) (and the parent as needed) and write the given limits; idempotent. */
  create(id: string, limits: CgroupLimits): Promise<void>;
  /** The cgroup.procs files the container's init writes "0" into before exec. */
  procsFiles(id: string): string[];
  /** Rewrite limits live; a refused write throws SyscallError naming the file, and every value written before it is put back. */
  update(id: string, limits: CgroupLimitsUpdate): Promise<void>;
  /** Limits as the kernel files hold them; kernel defaults (unlimited, 1024 shares, inherited cpuset) are absent. */
  read(id: string): Promise<CgroupLimits>;
  stats(id: string): Promise<CgroupStats>;
  pids(id: string): Promise<number[]>;
  /** SIGKILL every process in the cgroup (v2 cgroup.kill; v1 freezes first so nothing forks past the kill). */
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
