/**
 * Health check settings for the shim (<state>/healthcheck, reread when it changes: a live update) and the
 * state it records (<state>/health, Docker's State.Health shape).
 */
import { constants } from "node:os";
import { readFileSync, rmSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { HEALTH_DEFAULTS, parseDurationMs } from "../../../core/kinds/container-lifecycle.js";

export interface HealthcheckInputs {
  cmd: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  startPeriod?: string;
}

const ms = (d: string | undefined, fallback: number) => (d === undefined ? fallback : parseDurationMs(d) ?? fallback);

export interface HealthState {
  Status: "starting" | "healthy" | "unhealthy";
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

/** NUL-separated, as native/health.c reads it: interval timeout retries startPeriod stopSignal stopTimeout (ms), argv. */
export function writeHealthSettings(stateDir: string, check: HealthcheckInputs | undefined, stop: { signal?: string; timeoutS?: number }): void {
  const path = join(stateDir, "healthcheck");
  if (!check) {
    rmSync(path, { force: true });
    return;
  }
  const signal = constants.signals[(stop.signal ?? "SIGTERM") as keyof typeof constants.signals] ?? constants.signals.SIGTERM;
  const fields = [
    ms(check.interval, HEALTH_DEFAULTS.interval), ms(check.timeout, HEALTH_DEFAULTS.timeout), check.retries ?? HEALTH_DEFAULTS.retries,
    ms(check.startPeriod, HEALTH_DEFAULTS.startPeriod), signal, Math.round((stop.timeoutS ?? 10) * 1000), ...check.cmd,
  ];
  // Renamed into place: the shim watches the state dir for the new file (IN_MOVED_TO) and never reads half of one.
  writeFileSync(`${path}.tmp`, `${fields.join("\0")}\0`);
  renameSync(`${path}.tmp`, path);
}

export function readHealth(stateDir: string): HealthState | null {
  try {
    return JSON.parse(readFileSync(join(stateDir, "health"), "utf8")) as HealthState;
  } catch {
    return null;
  }
}
