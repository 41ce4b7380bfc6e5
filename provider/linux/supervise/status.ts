/**
 * A container's run state from the files its shim writes (`pid`, `exit`, `shim`). A pid counts as the
 * container only while its start time matches the one recorded, so a reused pid is never mistaken for it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { processStartTime } from "./process-info.js";

export type RunState = "created" | "running" | "restarting" | "exited" | "dead";

export interface ContainerStatus {
  state: RunState;
  pid: number | null;
  exitCode: number | null;
  signal: number | null;
  restarts: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** A state file's text, or null when it is not there (yet, or any more). */
export function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** "<pid> <start ticks> …" files: is that very process still there? */
function alive(line: string | null): boolean {
  if (!line) return false;
  const [pid, ticks] = line.trim().split(" ").map(Number);
  return pid > 0 && processStartTime(pid) === ticks;
}

export function readContainerStatus(stateDir: string): ContainerStatus {
  const pidLine = readText(join(stateDir, "pid"));
  const exitText = readText(join(stateDir, "exit"));
  const [pid, , restarts, startedAt] = (pidLine ?? "").trim().split(" ").map(Number);
  const exit = exitText ? (JSON.parse(exitText) as { code: number | null; signal: number | null; finishedAt: number; restarts?: number }) : null;
  const base: ContainerStatus = {
    state: "created", pid: pidLine ? pid : null, exitCode: null, signal: null, restarts: restarts || 0,
    startedAt: pidLine ? startedAt : null, finishedAt: null,
  };
  if (alive(pidLine)) return { ...base, state: "running" };
  if (exit) {
    const exitCode = exit.code ?? (exit.signal !== null ? 128 + exit.signal : null);
    // A live shim after an exit is waiting to restart, unless a stop was asked: then it is only leaving.
    const restarting = alive(readText(join(stateDir, "shim"))) && !existsSync(join(stateDir, "stopped"));
    const state = restarting ? "restarting" : "exited";
    return { ...base, state, pid: null, exitCode, signal: exit.signal, finishedAt: exit.finishedAt };
  }
  if (!pidLine) return base;
  // Exited a moment ago and its shim is recording it: still "running" until the record lands.
  if (alive(readText(join(stateDir, "shim")))) return { ...base, state: "running" };
  return { ...base, state: "dead", pid: null };
}

/** Is the shim (the container's parent) still running? */
export function shimAlive(stateDir: string): boolean {
  return alive(readText(join(stateDir, "shim")));
}
