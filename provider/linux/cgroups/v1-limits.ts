/** cgroup v1: which files a limit update writes (in a safe order, with what restores them) and the read-back. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readNumber, readValue, type FileWrite } from "./cgroup-fs.js";
import { CPU_PERIOD_US, DEFAULT_CPU_SHARES, cpusToQuota, quotaToCpus, swapMaxFor } from "./conversions.js";
import type { V1Controller } from "./detect.js";
import { throttleFromLines, weightOf } from "./io-files.js";
import { planV1NetHugetlbWrites, readV1NetHugetlb, type NetHugetlbDirs } from "./net-hugetlb-files.js";
import type { BlkioThrottle, CgroupLimits, CgroupLimitsUpdate } from "./types.js";

/** The directory of one controller's cgroup (the container's, or the parent's). */
export type V1Dir = (controller: V1Controller) => string;

/** memory.limit_in_bytes and friends read back this much or more (LONG_MAX, page-rounded) when unlimited. */
const UNLIMITED = 2 ** 62;
// Negative reads happen only in a cgroupfs-shaped test dir, where "-1" (unlimited) stays as written.
const limited = (n: number | null) => (n !== null && n >= 0 && n < UNLIMITED ? n : null);

const THROTTLE_FILES = [
  ["readBps", "blkio.throttle.read_bps_device"],
  ["writeBps", "blkio.throttle.write_bps_device"],
  ["readIops", "blkio.throttle.read_iops_device"],
  ["writeIops", "blkio.throttle.write_iops_device"],
] as const;

/** blkio.weight (CFQ, default 500) on older kernels, blkio.bfq.weight (BFQ, default 100) on newer ones. */
function weightFile(dir: V1Dir): { path: string; fallback: number } {
  const cfq = join(dir("blkio"), "blkio.weight");
  const bfq = join(dir("blkio"), "blkio.bfq.weight");
  return !existsSync(cfq) && existsSync(bfq) ? { path: bfq, fallback: 100 } : { path: cfq, fallback: 500 };
}

/** memory.memsw.limit_in_bytes must never drop below memory.limit_in_bytes: order the two writes. */
function memoryWrites(dir: V1Dir, limits: CgroupLimitsUpdate): FileWrite[] {
  const file = (name: string) => join(dir("memory"), name);
  const writes: FileWrite[] = [];
  if (limits.memoryReservation !== undefined) writes.push({ path: file("memory.soft_limit_in_bytes"), value: limits.memoryReservation ?? -1 });
  const memory = limits.memory === undefined ? undefined : (limits.memory ?? -1);
  const swap = limits.memorySwap === undefined ? undefined : (limits.memorySwap ?? -1);
  if (swap !== undefined && swap >= 0) {
    swapMaxFor(swap, memory === undefined ? limited(readNumber(file("memory.limit_in_bytes"))) : memory < 0 ? null : memory);
  }
  const memoryWrite: FileWrite[] = memory === undefined ? [] : [{ path: file("memory.limit_in_bytes"), value: memory }];
  const swapWrite: FileWrite[] = swap === undefined ? [] : [{ path: file("memory.memsw.limit_in_bytes"), value: swap }];
  const currentSwap = readNumber(file("memory.memsw.limit_in_bytes")) ?? Infinity;
  const raisingPastSwap = memory !== undefined && (memory < 0 ? Infinity : memory) > currentSwap;
  return raisingPastSwap ? [...writes, ...swapWrite, ...memoryWrite] : [...writes, ...memoryWrite, ...swapWrite];
}

/** The full device list replaces the old one: a device left out gets 0 (no rule) in every file. */
function throttleWrites(dir: V1Dir, wanted: BlkioThrottle[]): FileWrite[] {
  const writes: FileWrite[] = [];
  for (const [key, name] of THROTTLE_FILES) {
    const path = join(dir("blkio"), name);
    const current = new Map(throttleFromLines(readValue(path)).map((t) => [t.device, t.value]));
    const next = new Map(wanted.filter((t) => t[key]).map((t) => [t.device, t[key] as number]));
    for (const device of new Set([...current.keys(), ...next.keys()])) {
      const value = next.get(device) ?? 0;
      const old = current.get(device) ?? 0;
      if (value !== old) writes.push({ path, value: `${device} ${value}`, previous: `${device} ${old}` });
    }
  }
  return writes;
}

const netHugetlbDirs = (dir: V1Dir): NetHugetlbDirs => ({ net_cls: dir("net_cls"), net_prio: dir("net_prio"), hugetlb: dir("hugetlb") });

export function planV1Writes(dir: V1Dir, parent: V1Dir, limits: CgroupLimitsUpdate): FileWrite[] {
  const writes = memoryWrites(dir, limits);
  const add = (controller: V1Controller, name: string, value: string | number) => writes.push({ path: join(dir(controller), name), value });
  if (limits.cpus !== undefined) {
    add("cpu", "cpu.cfs_period_us", CPU_PERIOD_US);
    add("cpu", "cpu.cfs_quota_us", limits.cpus === null ? -1 : cpusToQuota(limits.cpus));
  }
  if (limits.cpuShares !== undefined) add("cpu", "cpu.shares", limits.cpuShares ?? DEFAULT_CPU_SHARES);
  // A reset cpuset takes the parent's set again (v1 has no "inherit" value).
  if (limits.cpusetCpus !== undefined) add("cpuset", "cpuset.cpus", limits.cpusetCpus ?? readValue(join(parent("cpuset"), "cpuset.cpus")) ?? "");
  if (limits.cpusetMems !== undefined) add("cpuset", "cpuset.mems", limits.cpusetMems ?? readValue(join(parent("cpuset"), "cpuset.mems")) ?? "");
  if (limits.pids !== undefined) add("pids", "pids.max", limits.pids ?? "max");
  if (limits.blkioWeight !== undefined) {
    const { path, fallback } = weightFile(dir);
    writes.push({ path, value: limits.blkioWeight ?? fallback });
  }
  if (limits.blkioThrottle !== undefined) writes.push(...throttleWrites(dir, limits.blkioThrottle ?? []));
  writes.push(...planV1NetHugetlbWrites(netHugetlbDirs(dir), limits));
  return writes;
}

export function readV1Limits(dir: V1Dir, parent: V1Dir): CgroupLimits {
  const out: CgroupLimits = {};
  const num = (controller: V1Controller, name: string) => readNumber(join(dir(controller), name));
  const memory = limited(num("memory", "memory.limit_in_bytes"));
  if (memory !== null) out.memory = memory;
  const reservation = limited(num("memory", "memory.soft_limit_in_bytes"));
  if (reservation !== null) out.memoryReservation = reservation;
  const swap = limited(num("memory", "memory.memsw.limit_in_bytes"));
  if (swap !== null) out.memorySwap = swap;
  const quota = num("cpu", "cpu.cfs_quota_us");
  if (quota !== null && quota > 0) out.cpus = quotaToCpus(quota, num("cpu", "cpu.cfs_period_us") ?? CPU_PERIOD_US);
  const shares = num("cpu", "cpu.shares");
  if (shares !== null && shares !== DEFAULT_CPU_SHARES) out.cpuShares = shares;
  for (const [key, name] of [["cpusetCpus", "cpuset.cpus"], ["cpusetMems", "cpuset.mems"]] as const) {
    const value = readValue(join(dir("cpuset"), name));
    if (value && value !== readValue(join(parent("cpuset"), name))) out[key] = value;
  }
  const pids = num("pids", "pids.max");
  if (pids !== null) out.pids = pids;
  const { path, fallback } = weightFile(dir);
  const weight = weightOf(readValue(path));
  if (weight !== null && weight !== fallback) out.blkioWeight = weight;
  const throttle = new Map<string, BlkioThrottle>();
  for (const [key, name] of THROTTLE_FILES) {
    for (const { device, value } of throttleFromLines(readValue(join(dir("blkio"), name)))) {
      if (value > 0) throttle.set(device, { ...(throttle.get(device) ?? { device }), [key]: value });
    }
  }
  if (throttle.size) out.blkioThrottle = [...throttle.values()].sort((a, b) => a.device.localeCompare(b.device));
  return { ...out, ...readV1NetHugetlb(netHugetlbDirs(dir)) };
}
