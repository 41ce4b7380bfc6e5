/**
 * Container limits for the net_cls, net_prio and hugetlb controllers (live-updatable like every limit:
 * their cgroup files are written while the container runs). Whether this host has the controller is
 * checked at plan time by the runtime's preflight, not here.
 */
import { fail, number } from "../model/check.js";
import { formatSize, parseSize } from "../model/units.js";
import type { Props } from "../model/types.js";

const U32_MAX = 0xffff_ffff;
/** A kernel interface name: at most 15 bytes, no whitespace, '/' or ':'. */
const IFNAME = /^(?!\.\.?$)[^\s/:]{1,15}$/;
/** The kernel's names of huge page sizes in the hugetlb files: "64KB", "2MB", "1GB". */
export const HUGEPAGE_SIZE = /^([1-9]\d*)(KB|MB|GB)$/;
const UNIT: Record<string, number> = { KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30 };

export function hugepageBytes(size: string): number {
  const m = HUGEPAGE_SIZE.exec(size);
  return m ? Number(m[1]) * UNIT[m[2]] : NaN;
}

function object(raw: unknown, path: string, what: string): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(path, `expected an object of ${what}`);
  return raw as Record<string, unknown>;
}

/** `{ eth0: 5 }`: net_prio.ifpriomap entries, host interface name to priority. */
export function normalizeNetPriorities(raw: unknown, path: string): Props {
  const map = object(raw, path, "interface name to priority");
  const out: Props = {};
  for (const name of Object.keys(map).sort()) {
    if (!IFNAME.test(name)) fail(`${path}.${name}`, `${JSON.stringify(name)} is not a network interface name (at most 15 characters, no whitespace, "/" or ":")`);
    out[name] = number(map[name], `${path}.${name}`, { min: 0, max: U32_MAX, integer: true });
  }
  return out;
}

/** `{ "2MB": "64Mi" }`: the hugetlb limit per page size, a whole number of pages (the kernel would round it down). */
export function normalizeHugepages(raw: unknown, path: string): Props {
  const map = object(raw, path, "page size to limit");
  const out: Props = {};
  for (const size of Object.keys(map).sort()) {
    const at = `${path}.${size}`;
    if (!HUGEPAGE_SIZE.test(size)) fail(at, `${JSON.stringify(size)} is not a huge page size as the kernel names them (like "2MB", "1GB")`);
    const value = map[size];
    const bytes = typeof value === "string" || typeof value === "number" ? parseSize(value) : null;
    if (bytes === null) fail(at, `${JSON.stringify(value)} is not a size (like "64Mi", "1Gi")`);
    if (bytes % hugepageBytes(size) !== 0) fail(at, `${JSON.stringify(value)} is not a whole number of ${size} pages`);
    out[size] = formatSize(bytes);
  }
  return out;
}

export function normalizeNetClassId(raw: unknown, path: string): number {
  return number(raw, path, { min: 1, max: U32_MAX, integer: true });
}
