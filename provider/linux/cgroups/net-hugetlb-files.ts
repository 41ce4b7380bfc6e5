/**
 * The net_cls, net_prio and hugetlb files: which writes a limit update makes (each with what restores
 * it) and the read-back. Maps are whole: an interface or page size left out goes back to the default.
 * - net_cls.classid (v1): the class id, 0 = none. No v2 file: v2 classifies by socket cgroup in eBPF/nftables.
 * - net_prio.ifpriomap (v1): one "ifname prio" line per write, 0 = none; names are host interfaces. No v2 file.
 * - hugetlb.<size>.limit_in_bytes (v1, -1 = unlimited) / hugetlb.<size>.max (v2, "max").
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ValidationError } from "../../../core/errors.js";
import { readNumber, readValue, type FileWrite } from "./cgroup-fs.js";
import type { CgroupLimits, CgroupLimitsUpdate } from "./types.js";

/** Unlimited hugetlb limits read back as PAGE_COUNTER_MAX pages in bytes (2^63 rounded down). */
const UNLIMITED = 2 ** 62;

function lines(text: string | null): [string, number][] {
  return (text ?? "").split("\n").map((l) => l.trim().split(/\s+/)).filter((p) => p.length === 2).map(([k, v]) => [k, Number(v)]);
}

/** Per-key writes turning `current` into `wanted` (missing keys take `reset`), only where they differ. */
function mapWrites(current: Map<string, number | string>, wanted: Record<string, number>, reset: number | string, write: (key: string, value: number | string, old: number | string) => FileWrite): FileWrite[] {
  const writes: FileWrite[] = [];
  for (const key of new Set([...current.keys(), ...Object.keys(wanted)])) {
    const value = wanted[key] ?? reset;
    const old = current.get(key) ?? reset;
    if (String(value) !== String(old)) writes.push(write(key, value, old));
  }
  return writes;
}

/** `hugetlb.<size>.<suffix>` files of a cgroup dir, by size ("2MB"). */
function hugetlbFiles(dir: string, suffix: string): Map<string, string> {
  const re = new RegExp(`^hugetlb\\.(\\d+[KMG]B)\\.${suffix.replace(".", "\\.")}$`);
  const out = new Map<string, string>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // no hugetlb dir: nothing set
  }
  for (const name of names) {
    const m = re.exec(name);
    if (m) out.set(m[1], join(dir, name));
  }
  return out;
}

function readHugepages(dir: string, suffix: string): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const [size, path] of hugetlbFiles(dir, suffix)) {
    const n = readNumber(path);
    if (n !== null && n >= 0 && n < UNLIMITED) out[size] = n;
  }
  return Object.keys(out).length ? out : undefined;
}

function hugepageWrites(dir: string, suffix: string, wanted: Record<string, number>, unlimited: number | string): FileWrite[] {
  const current = new Map(Object.entries(readHugepages(dir, suffix) ?? {}) as [string, number | string][]);
  // A size this kernel has no file for fails its write with ENOENT naming the file: refused, not dropped.
  return mapWrites(current, wanted, unlimited, (size, value) => ({ path: join(dir, `hugetlb.${size}.${suffix}`), value }));
}

export interface NetHugetlbDirs {
  net_cls: string;
  net_prio: string;
  hugetlb: string;
}

export function planV1NetHugetlbWrites(dirs: NetHugetlbDirs, limits: CgroupLimitsUpdate): FileWrite[] {
  const writes: FileWrite[] = [];
  if (limits.netClassId !== undefined) writes.push({ path: join(dirs.net_cls, "net_cls.classid"), value: limits.netClassId ?? 0 });
  if (limits.netPriorities !== undefined) {
    const path = join(dirs.net_prio, "net_prio.ifpriomap");
    const current = new Map(lines(readValue(path)).filter(([, prio]) => prio > 0) as [string, number | string][]);
    writes.push(...mapWrites(current, limits.netPriorities ?? {}, 0, (name, value, old) => ({ path, value: `${name} ${value}`, previous: `${name} ${old}` })));
  }
  if (limits.hugepages !== undefined) writes.push(...hugepageWrites(dirs.hugetlb, "limit_in_bytes", limits.hugepages ?? {}, -1));
  return writes;
}

export function readV1NetHugetlb(dirs: NetHugetlbDirs): CgroupLimits {
  const out: CgroupLimits = {};
  const classid = readNumber(join(dirs.net_cls, "net_cls.classid"));
  if (classid !== null && classid > 0) out.netClassId = classid;
  const priorities = lines(readValue(join(dirs.net_prio, "net_prio.ifpriomap"))).filter(([, prio]) => prio > 0);
  if (priorities.length) out.netPriorities = Object.fromEntries(priorities.sort(([a], [b]) => a.localeCompare(b)));
  const hugepages = readHugepages(dirs.hugetlb, "limit_in_bytes");
  if (hugepages) out.hugepages = hugepages;
  return out;
}

/** v2 has no net_cls or net_prio files: a value is refused (a reset has nothing to undo). */
export function planV2NetHugetlbWrites(dir: string, limits: CgroupLimitsUpdate): FileWrite[] {
  for (const [key, controller] of [["netClassId", "net_cls"], ["netPriorities", "net_prio"]] as const) {
    if (limits[key] !== undefined && limits[key] !== null) {
      throw new ValidationError(`limits.${key}`, `${controller} has no cgroup v2 equivalent: not supported on this host`);
    }
  }
  return limits.hugepages === undefined ? [] : hugepageWrites(dir, "max", limits.hugepages ?? {}, "max");
}

export function readV2Hugetlb(dir: string): CgroupLimits {
  const hugepages = readHugepages(dir, "max");
  return hugepages ? { hugepages } : {};
}
