/**
 * `userns`: run the container's root as an unprivileged host id range. "auto" takes a free 65 536-id range
 * from cinfra's pool; explicit maps follow /proc/<pid>/uid_map (containerId hostId size), like Docker's
 * --userns-remap and the OCI spec's uidMappings.
 */
import { array, fail, number, record } from "../model/check.js";
import type { Props, PropValue } from "../model/types.js";

const MAX_ID = 2 ** 32 - 2; // (uid_t)-1 is "no id"
const MAX_RANGES = 16;

function ranges(raw: unknown, path: string): Props[] {
  const list = array(raw, path);
  if (list.length === 0) fail(path, "needs at least one range");
  if (list.length > MAX_RANGES) fail(path, `at most ${MAX_RANGES} ranges`);
  const out = list.map((entry, i) => {
    const at = `${path}[${i}]`;
    const r = record(entry, at, ["containerId", "hostId", "size"]);
    const size = number(r.size, `${at}.size`, { min: 1, max: MAX_ID, integer: true });
    const containerId = number(r.containerId, `${at}.containerId`, { min: 0, max: MAX_ID - size + 1, integer: true });
    const hostId = number(r.hostId, `${at}.hostId`, { min: 0, max: MAX_ID - size + 1, integer: true });
    return { containerId, hostId, size };
  });
  // The kernel refuses overlapping ranges on either side; say which ones here, not EINVAL at start.
  for (const side of ["containerId", "hostId"] as const) {
    const sorted = out.map((r, i) => ({ ...r, i })).sort((a, b) => a[side] - b[side]);
    for (let k = 1; k < sorted.length; k++) {
      const prev = sorted[k - 1];
      if (sorted[k][side] < prev[side] + prev.size) fail(`${path}[${sorted[k].i}].${side}`, `overlaps range ${prev.i}`);
    }
  }
  return out;
}

export function normalizeUserns(raw: unknown, path: string): PropValue {
  if (raw === "auto") return "auto";
  if (typeof raw === "string") fail(path, `${JSON.stringify(raw)} is not "auto" or { uidMap, gidMap }`);
  const u = record(raw, path, ["uidMap", "gidMap"]);
  const uidMap = ranges(u.uidMap, `${path}.uidMap`);
  const gidMap = u.gidMap === undefined ? uidMap : ranges(u.gidMap, `${path}.gidMap`);
  return { uidMap, gidMap };
}

/** The host id an id inside maps to, or undefined when it is not mapped. */
export function mapToHost(map: { containerId: number; hostId: number; size: number }[], id: number): number | undefined {
  const range = map.find((r) => id >= r.containerId && id < r.containerId + r.size);
  return range && range.hostId + (id - range.containerId);
}
