/** cgroup v2: which files a limit update writes (with what restores them) and the read-back. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SyscallError } from "../../../core/errors.js";
import { readNumber, readValue, writeValue, type FileWrite } from "./cgroup-fs.js";
import {
  CPU_PERIOD_US, DEFAULT_CPU_WEIGHT, blkioToIoWeight, cpusToQuota, ioToBlkioWeight, quotaToCpus, sharesToWeight, swapMaxFor, weightToShares,
} from "./conversions.js";
import { ioMaxLine, parseIoMax, weightOf } from "./io-files.js";
import { planV2NetHugetlbWrites, readV2Hugetlb } from "./net-hugetlb-files.js";
import type { BlkioThrottle, CgroupLimits, CgroupLimitsUpdate } from "./types.js";

const EBUSY = 16;
const DEFAULT_IO_WEIGHT = 100;

/**
 * v1 refuses a memory limit below usage with EBUSY; v2 would OOM-kill instead. Keep v1's contract:
 * ask the kernel to reclaim the difference first, and refuse if usage is still above the limit.
 */
function refuseBelowUsage(dir: string, limit: number): void {
  const usage = readNumber(join(dir, "memory.current"));
  if (usage === null || usage <= limit) return;
  try {
    writeValue(join(dir, "memory.reclaim"), usage - limit);
  } catch {
    // EAGAIN: not that much is reclaimable (or no memory.reclaim before 5.19); the check below decides
  }
  const after = readNumber(join(dir, "memory.current")) ?? 0;
  if (after > limit) throw new SyscallError("write", EBUSY, join(dir, "memory.max"), `usage ${after} is above the new limit ${limit}`);
}

/** io.bfq.weight (same 1..1000 scale as v1) when BFQ is the scheduler, else io.weight (1..10000, converted). */
function weightFile(dir: string): { path: string; bfq: boolean } {
  const bfq = join(dir, "io.bfq.weight");
  return existsSync(bfq) ? { path: bfq, bfq: true } : { path: join(dir, "io.weight"), bfq: false };
}

/** The full device list replaces the old one: a device left out gets "max" everywhere. */
function ioMaxWrites(dir: string, wanted: BlkioThrottle[]): FileWrite[] {
  const path = join(dir, "io.max");
  const current = new Map(parseIoMax(readValue(path)).map((t) => [t.device, t]));
  const next = new Map(wanted.map((t) => [t.device, t]));
  const writes: FileWrite[] = [];
  for (const device of new Set([...current.keys(), ...next.keys()])) {
    const value = ioMaxLine(next.get(device) ?? { device });
    const previous = ioMaxLine(current.get(device) ?? { device });
    if (value !== previous) writes.push({ path, value, previous });
  }
  return writes;
}

export function planV2Writes(dir: string, limits: CgroupLimitsUpdate): FileWrite[] {
  const writes: FileWrite[] = [];
  const add = (name: string, value: string | number, check?: () => void) => writes.push({ path: join(dir, name), value, check });
  if (limits.memory !== undefined) {
    const memory = limits.memory;
    add("memory.max", memory ?? "max", memory === null ? undefined : () => refuseBelowUsage(dir, memory));
  }
  if (limits.memoryReservation !== undefined) add("memory.low", limits.memoryReservation ?? 0);
  if (limits.memorySwap !== undefined) {
    const memory = limits.memory === undefined ? readNumber(join(dir, "memory.max")) : limits.memory;
    add("memory.swap.max", limits.memorySwap === null ? "max" : swapMaxFor(limits.memorySwap, memory));
  }
  if (limits.cpus !== undefined) add("cpu.max", `${limits.cpus === null ? "max" : cpusToQuota(limits.cpus)} ${CPU_PERIOD_US}`);
  if (limits.cpuShares !== undefined) add("cpu.weight", limits.cpuShares === null ? DEFAULT_CPU_WEIGHT : sharesToWeight(limits.cpuShares));
  // An empty cpuset list means "inherit the parent's".
  if (limits.cpusetCpus !== undefined) add("cpuset.cpus", limits.cpusetCpus ?? "");
  if (limits.cpusetMems !== undefined) add("cpuset.mems", limits.cpusetMems ?? "");
  if (limits.pids !== undefined) add("pids.max", limits.pids ?? "max");
  if (limits.blkioWeight !== undefined) {
    const { path, bfq } = weightFile(dir);
    const weight = limits.blkioWeight === null ? DEFAULT_IO_WEIGHT : bfq ? limits.blkioWeight : blkioToIoWeight(limits.blkioWeight);
    // The file also lists per-device weights: restore only the default line.
    writes.push({ path, value: `default ${weight}`, previous: `default ${weightOf(readValue(path)) ?? DEFAULT_IO_WEIGHT}` });
  }
  if (limits.blkioThrottle !== undefined) writes.push(...ioMaxWrites(dir, limits.blkioThrottle ?? []));
  writes.push(...planV2NetHugetlbWrites(dir, limits));
  return writes;
}

export function readV2Limits(dir: string): CgroupLimits {
  const out: CgroupLimits = {};
  const num = (name: string) => readNumber(join(dir, name));
  const memory = num("memory.max");
  if (memory !== null) out.memory = memory;
  const low = num("memory.low");
  if (low !== null && low > 0) out.memoryReservation = low;
  const swap = num("memory.swap.max");
  if (swap !== null && memory !== null) out.memorySwap = memory + swap;
  const [quota, period] = (readValue(join(dir, "cpu.max")) ?? "max").split(/\s+/);
  if (quota !== "max" && Number(quota) > 0) out.cpus = quotaToCpus(Number(quota), Number(period) || CPU_PERIOD_US);
  const weight = num("cpu.weight");
  if (weight !== null && weight !== DEFAULT_CPU_WEIGHT) out.cpuShares = weightToShares(weight);
  const cpus = readValue(join(dir, "cpuset.cpus"));
  if (cpus) out.cpusetCpus = cpus;
  const mems = readValue(join(dir, "cpuset.mems"));
  if (mems) out.cpusetMems = mems;
  const pids = num("pids.max");
  if (pids !== null) out.pids = pids;
  const { path, bfq } = weightFile(dir);
  const ioWeight = weightOf(readValue(path));
  if (ioWeight !== null && ioWeight !== DEFAULT_IO_WEIGHT) out.blkioWeight = bfq ? ioWeight : ioToBlkioWeight(ioWeight);
  const throttle = parseIoMax(readValue(join(dir, "io.max")));
  if (throttle.length) out.blkioThrottle = throttle.sort((a, b) => a.device.localeCompare(b.device));
  return { ...out, ...readV2Hugetlb(dir) };
}
