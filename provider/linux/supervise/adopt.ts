/**
 * Re-adoption: a container outlives its shim (SIGKILL, OOM, a bug): its output is in files, not a pipe, so
 * it runs on unharmed, only unsupervised. Any cinfra command that reads a container's state calls
 * ensureSupervised(), which starts `cinfra-shim adopt SPEC PID TICKS`: a new shim that watches the container
 * by pidfd, resumes log conversion at the saved offsets, runs the health checks and applies the restart
 * policy (a restart is its own child again). A container that died meanwhile gets its exit recorded
 * ("unknown" once the status is gone) and the policy applied.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { shimPath } from "../native/locate.js";
import { processStartTime } from "./process-info.js";
import { readText, shimAlive } from "./status.js";

/** The run in <state>/pid has no shim and is either alive or its exit is not recorded. */
export function orphanedRun(stateDir: string): { pid: number; ticks: number } | null {
  if (!existsSync(join(stateDir, "spec")) || shimAlive(stateDir)) return null;
  const pidLine = readText(join(stateDir, "pid"));
  if (!pidLine) return null;
  const [pid, ticks, restarts, startedAt] = pidLine.trim().split(" ").map(Number);
  if (processStartTime(pid) === ticks) return { pid, ticks };
  if (existsSync(join(stateDir, "stopped"))) return null;
  const exitText = readText(join(stateDir, "exit"));
  const exit = exitText ? (JSON.parse(exitText) as { finishedAt?: number; restarts?: number }) : null;
  const recorded = exit !== null && (exit.restarts ?? 0) >= (restarts || 0) && (exit.finishedAt ?? 0) >= (startedAt || 0);
  return recorded ? null : { pid, ticks };
}

/** Start an adopting shim when the container is orphaned; resolves to whether one was started. */
export async function ensureSupervised(stateDir: string): Promise<boolean> {
  const run = orphanedRun(stateDir);
  if (!run) return false;
  const child = spawn(shimPath(), ["adopt", join(stateDir, "spec"), String(run.pid), String(run.ticks)], {
    stdio: ["ignore", "ignore", "ignore", "pipe"],
  });
  const line = await new Promise<string>((resolve) => {
    let text = "";
    const report = child.stdio[3] as Readable;
    report.setEncoding("utf8");
    report.on("data", (chunk: string) => { text += chunk; });
    report.on("end", () => resolve(text.trim()));
    report.on("error", () => resolve(text.trim()));
    child.once("error", () => resolve(""));
  });
  // "err supervised": another cinfra command adopted it first; either way it is watched now.
  return line.startsWith("ok ");
}
