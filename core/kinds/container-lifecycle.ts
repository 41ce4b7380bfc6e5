/**
 * Container props the shim acts on while the container runs: log rotation and health checks.
 * Durations are canonical as "<n>s" or "<n>ms" strings (normalizing them again changes nothing); sizes as formatted sizes.
 */
import { fail, number, record, string, stringArray } from "../model/check.js";
import { formatSize, parseSize } from "../model/units.js";
import type { Props } from "../model/types.js";

/** Docker's "local" log driver defaults: 20 MiB per file, 5 files (the current one included). */
export const LOG_DEFAULTS = { maxSize: 20 * 2 ** 20, maxFiles: 5 } as const;

export function normalizeLogging(raw: unknown, path: string): Props {
  const l = record(raw, path, ["maxSize", "maxFiles"]);
  const out: Props = {};
  if (l.maxSize !== undefined) {
    const bytes = typeof l.maxSize === "string" || typeof l.maxSize === "number" ? parseSize(l.maxSize) : null;
    if (bytes === null) fail(`${path}.maxSize`, `${JSON.stringify(l.maxSize)} is not a size (like "10Mi")`);
    if (bytes < 4096) fail(`${path}.maxSize`, `${JSON.stringify(l.maxSize)} is below the 4Ki minimum`);
    out.maxSize = formatSize(bytes);
  }
  if (l.maxFiles !== undefined) out.maxFiles = number(l.maxFiles, `${path}.maxFiles`, { min: 1, max: 100, integer: true });
  return out;
}

/** "30s", "1m30s", "500ms", "1h" or a number of seconds -> milliseconds (Go's duration syntax, as Docker takes). */
export function parseDurationMs(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : null;
  if (typeof value !== "string" || !/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(value)) return null;
  let ms = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms"];
  return Math.round(ms);
}

function duration(value: unknown, path: string, minMs: number): string {
  const ms = parseDurationMs(value);
  if (ms === null) fail(path, `${JSON.stringify(value)} is not a duration (like "30s", "1m30s", "500ms", or seconds as a number)`);
  if (ms < minMs) fail(path, `${JSON.stringify(value)} is below the ${minMs} ms minimum`);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Docker's defaults: every 30 s, 30 s timeout, 3 retries, no start period. */
export const HEALTH_DEFAULTS = { interval: 30_000, timeout: 30_000, retries: 3, startPeriod: 0 } as const;

/** `cmd`: an argv run in the container, or "CMD-SHELL <script>" run by /bin/sh -c (Docker's two forms). */
export function normalizeHealthcheck(raw: unknown, path: string): Props {
  const h = record(raw, path, ["cmd", "interval", "timeout", "retries", "startPeriod"]);
  let cmd: string[];
  if (typeof h.cmd === "string") {
    const m = /^CMD-SHELL\s+(\S[\s\S]*)$/.exec(h.cmd);
    if (!m) fail(`${path}.cmd`, 'a string must be "CMD-SHELL <shell command>"; give an argv array otherwise');
    cmd = ["/bin/sh", "-c", m[1]];
  } else {
    cmd = stringArray(h.cmd, `${path}.cmd`, { nonEmpty: true });
    cmd.forEach((arg, i) => string(arg, `${path}.cmd[${i}]`, { re: /^[^\0]*$/, what: "text without NUL bytes" }));
  }
  const out: Props = { cmd };
  if (h.interval !== undefined) out.interval = duration(h.interval, `${path}.interval`, 100);
  if (h.timeout !== undefined) out.timeout = duration(h.timeout, `${path}.timeout`, 100);
  if (h.startPeriod !== undefined) out.startPeriod = duration(h.startPeriod, `${path}.startPeriod`, 0);
  if (h.retries !== undefined) out.retries = number(h.retries, `${path}.retries`, { min: 1, max: 1000, integer: true });
  return out;
}
