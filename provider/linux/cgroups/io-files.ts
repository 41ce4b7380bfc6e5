/** Parsing and formatting of the per-device block I/O files (v1 blkio.*, v2 io.*). */
import type { BlkioThrottle } from "./types.js";

/** v1 throttle files: one "maj:min value" line per device with a rule. */
export function throttleFromLines(text: string | null): { device: string; value: number }[] {
  return (text ?? "")
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([device, value]) => /^\d+:\d+$/.test(device ?? "") && value !== undefined)
    .map(([device, value]) => ({ device, value: Number(value) }));
}

/** A weight file's default: "default 100" (io.weight, *.bfq.weight) or a bare "500" (blkio.weight). */
export function weightOf(text: string | null): number | null {
  const first = (text ?? "").split("\n")[0].trim().split(/\s+/);
  const value = first[0] === "default" ? first[1] : first[0];
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) ? n : null;
}

const IO_MAX_KEYS = [["rbps", "readBps"], ["wbps", "writeBps"], ["riops", "readIops"], ["wiops", "writeIops"]] as const;

/** v2 io.max: "maj:min rbps=N wbps=max riops=max wiops=max" per device with a limit. */
export function parseIoMax(text: string | null): BlkioThrottle[] {
  const out: BlkioThrottle[] = [];
  for (const line of (text ?? "").split("\n")) {
    const [device, ...pairs] = line.trim().split(/\s+/);
    if (!/^\d+:\d+$/.test(device ?? "")) continue;
    const entry: BlkioThrottle = { device };
    for (const pair of pairs) {
      const [name, value] = pair.split("=");
      const key = IO_MAX_KEYS.find(([file]) => file === name)?.[1];
      if (key && value !== "max" && Number(value) > 0) entry[key] = Number(value);
    }
    if (Object.keys(entry).length > 1) out.push(entry);
  }
  return out;
}

/** One io.max line setting every limit of a device ("max" where the entry has none). */
export function ioMaxLine(entry: BlkioThrottle): string {
  return [entry.device, ...IO_MAX_KEYS.map(([file, key]) => `${file}=${entry[key] || "max"}`)].join(" ");
}
