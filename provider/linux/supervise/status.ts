/** A container's run state from the files its shim and start.ts wrote; a reused pid is never mistaken for it. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { processStartTime } from "./process-info.js";

export type RunState = "created" | "running" | "exited" | "dead";

export interface ContainerStatus {
  state: RunState;
  pid: number | null;
  exitCode: number | null;
  signal: number | null;
  startedAt: number | null;
  finishedAt: number | null;
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}

export function readContainerStatus(stateDir: string): ContainerStatus {
  const start = readJson<{ pid: number; startTicks: number | null; startedAt: number }>(join(stateDir, "start.json"));
  const exit = readJson<{ code: number | null; signal: number | null; finishedAt: number }>(join(stateDir, "exit"));
  const base: ContainerStatus = {
    state: "created", pid: start?.pid ?? null, exitCode: null, signal: null, startedAt: start?.startedAt ?? null, finishedAt: null,
  };
  if (exit) {
    return { ...base, state: "exited", exitCode: exit.code ?? (exit.signal !== null ? 128 + exit.signal : null), signal: exit.signal, finishedAt: exit.finishedAt };
  }
  if (!start) return base;
  const ticks = processStartTime(start.pid);
  if (ticks !== null && ticks === start.startTicks) return { ...base, state: "running" };
  // Gone without an exit record: the shim itself was killed.
  return { ...base, state: "dead", pid: null };
}
