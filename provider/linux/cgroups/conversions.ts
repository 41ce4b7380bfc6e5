/**
 * Pure conversions between Docker's limit units and the kernel's files, and the normal form the
 * kernel stores a limit in (what read() will give back), so drift detection compares like with like.
 */
import { ValidationError } from "../../../core/errors.js";
import type { BlkioThrottle, CgroupLimits, CgroupLimitsUpdate } from "./types.js";

export const CPU_PERIOD_US = 100_000;
/** The kernel keeps memory limits in pages and reads them back rounded down. */
export const PAGE_SIZE = 4096;
export const DEFAULT_CPU_SHARES = 1024;
export const DEFAULT_CPU_WEIGHT = 100;

export function cpusToQuota(cpus: number, period = CPU_PERIOD_US): number {
  return Math.round(cpus * period);
}

export function quotaToCpus(quota: number, period = CPU_PERIOD_US): number {
  return quota / period;
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));
const SHARES_MIN = 2;
const SHARES_MAX = 262_144;
const WEIGHT_RANGE = 9999;
const SHARES_RANGE = SHARES_MAX - SHARES_MIN;

/** Docker's cpu.shares (2..262144) to cgroup v2's cpu.weight (1..10000): runc's and crun's linear map, integer division included. */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((Math.round(clamp(shares, SHARES_MIN, SHARES_MAX)) - SHARES_MIN) * WEIGHT_RANGE) / SHARES_RANGE);
}

/** The smallest shares value that maps to this weight, so sharesToWeight(weightToShares(w)) === w. */
export function weightToShares(weight: number): number {
  const w = clamp(Math.round(weight), 1, 10_000);
  return SHARES_MIN + Math.ceil(((w - 1) * SHARES_RANGE) / WEIGHT_RANGE);
}

/** blkio.weight (10..1000) to io.weight (1..10000), as runc converts it when io.bfq.weight is absent. */
export function blkioToIoWeight(weight: number): number {
  return Math.round(1 + ((clamp(weight, 10, 1000) - 10) * 9999) / 990);
}

export function ioToBlkioWeight(weight: number): number {
  return Math.round(10 + ((weight - 1) * 990) / 9999);
}

/** v2's memory.swap.max from Docker's memory + swap total; "max" for unlimited (-1). */
export function swapMaxFor(memorySwap: number, memory: number | null): number | "max" {
  if (memorySwap < 0) return "max";
  if (memory === null) throw new ValidationError("limits.memorySwap", "needs a memory limit (it is memory + swap)");
  if (memorySwap < memory) throw new ValidationError("limits.memorySwap", `must be at least memory (${memory}), it is memory + swap`);
  return memorySwap - memory;
}

/** "3,0-1,2" -> "0-3": the form the kernel prints cpu and memory-node lists in. */
export function canonicalCpuList(list: string): string {
  const ids = new Set<number>();
  for (const part of list.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [lo, hi] = part.split("-").map(Number);
    if (!Number.isInteger(lo) || (hi !== undefined && !Number.isInteger(hi))) throw new ValidationError("limits.cpuset", `"${list}" is not a cpu list`);
    for (let i = lo; i <= (hi ?? lo); i++) ids.add(i);
  }
  const sorted = [...ids].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i];
    while (sorted[i + 1] === sorted[i] + 1) i++;
    ranges.push(start === sorted[i] ? `${start}` : `${start}-${sorted[i]}`);
  }
  return ranges.join(",");
}

const pages = (bytes: number) => Math.floor(bytes / PAGE_SIZE) * PAGE_SIZE;

function normalThrottle(list: BlkioThrottle[]): BlkioThrottle[] | undefined {
  const out = list
    .map((t) => {
      const entry: BlkioThrottle = { device: t.device };
      for (const key of ["readBps", "writeBps", "readIops", "writeIops"] as const) if (t[key]) entry[key] = t[key];
      return entry;
    })
    .filter((t) => Object.keys(t).length > 1)
    .sort((a, b) => a.device.localeCompare(b.device));
  return out.length ? out : undefined;
}

/** The limits as read() would report them after writing `limits` on this version (defaults left out). */
export function normalizeLimits(version: 1 | 2, limits: CgroupLimits): CgroupLimits {
  const out: CgroupLimits = {};
  if (limits.memory !== undefined && limits.memory >= 0) out.memory = pages(limits.memory);
  if (limits.memoryReservation !== undefined && limits.memoryReservation > 0) out.memoryReservation = pages(limits.memoryReservation);
  if (limits.memorySwap !== undefined && limits.memorySwap >= 0) out.memorySwap = pages(limits.memorySwap);
  if (limits.cpus !== undefined && limits.cpus > 0) out.cpus = quotaToCpus(cpusToQuota(limits.cpus));
  if (limits.cpuShares !== undefined) {
    const shares = version === 1 ? clamp(limits.cpuShares, SHARES_MIN, SHARES_MAX) : weightToShares(sharesToWeight(limits.cpuShares));
    const isDefault = version === 1 ? shares === DEFAULT_CPU_SHARES : sharesToWeight(shares) === DEFAULT_CPU_WEIGHT;
    if (!isDefault) out.cpuShares = shares;
  }
  if (limits.cpusetCpus) out.cpusetCpus = canonicalCpuList(limits.cpusetCpus);
  if (limits.cpusetMems) out.cpusetMems = canonicalCpuList(limits.cpusetMems);
  if (limits.pids !== undefined) out.pids = limits.pids;
  if (limits.blkioWeight !== undefined) out.blkioWeight = limits.blkioWeight;
  const throttle = normalThrottle(limits.blkioThrottle ?? []);
  if (throttle) out.blkioThrottle = throttle;
  if (limits.netClassId) out.netClassId = limits.netClassId;
  const priorities = Object.entries(limits.netPriorities ?? {}).filter(([, prio]) => prio > 0).sort(([a], [b]) => a.localeCompare(b));
  if (priorities.length) out.netPriorities = Object.fromEntries(priorities);
  const hugepages = Object.entries(limits.hugepages ?? {}).filter(([, bytes]) => bytes >= 0).sort(([a], [b]) => a.localeCompare(b));
  if (hugepages.length) out.hugepages = Object.fromEntries(hugepages);
  return out;
}

/** The update that turns `before` into `after`: every limit of `after`, and null for each one dropped. */
export function replacementLimits(before: CgroupLimits, after: CgroupLimits): CgroupLimitsUpdate {
  const update: CgroupLimitsUpdate = { ...after };
  delete update.deviceRules; // create-time only
  for (const key of Object.keys(before) as (keyof CgroupLimits)[]) {
    if (key !== "deviceRules" && after[key] === undefined) update[key] = null;
  }
  return update;
}
