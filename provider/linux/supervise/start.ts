/**
 * Start a container: write the spec, spawn the native helper, and wait for its one-line report on
 * fd 3 ("ok <pid> <shim pid>" or "err <step> <errno> [detail]"). The helper detaches at once, so the
 * container and its shim outlive this process; a failed start leaves no process behind.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { RuntimeError, errnoName } from "../../../core/errors.js";
import { shimPath } from "../native/locate.js";
import { encodeSpec, type ContainerSpec } from "./spec.js";
import { readContainerStatus, shimAlive } from "./status.js";
import { writeRestartPolicy } from "./stop.js";

export interface StartedContainer {
  /** The container's init on the host (PID 1 inside). */
  pid: number;
  /** Its parent, the shim that records the exit status. */
  shimPid: number;
  /** Epoch ms, as recorded by the shim (the same value readContainerStatus() gives). */
  startedAt: number;
}

/** The helper's "err" report: which step of the start failed, with which errno. */
export class ContainerStartError extends RuntimeError {
  constructor(readonly containerId: string, readonly step: string, readonly errno: number, readonly detail: string, hint: string) {
    const what = step === "helper" ? detail : `${step}${detail ? ` ${detail}` : ""}: ${errnoName(errno)}`;
    super("CONTAINER_START", `container ${containerId} did not start: ${what}${hint}`);
  }
}

/** Write the spec and restart policy without starting (a container created "stopped"). */
export function prepareContainer(spec: ContainerSpec, restart?: string): void {
  mkdirSync(spec.stateDir, { recursive: true });
  writeRestartPolicy(spec.stateDir, restart);
  writeFileSync(join(spec.stateDir, "spec"), encodeSpec(spec));
}

export async function startContainer(spec: ContainerSpec, restart?: string): Promise<StartedContainer> {
  prepareContainer(spec, restart);
  return launch(spec.stateDir, spec.id);
}

/** Start a stopped container again from the spec it was created with (`docker start`). */
export async function restartContainer(stateDir: string, id: string): Promise<StartedContainer> {
  // A stop returns once the exit is recorded; the old shim may still be exiting and holding its lock.
  for (let i = 0; i < 400 && shimAlive(stateDir); i++) await sleep(5);
  for (const file of ["stopped", "exit", "pid", "shim", "health"]) rmSync(join(stateDir, file), { force: true });
  return launch(stateDir, id);
}

async function launch(stateDir: string, id: string): Promise<StartedContainer> {
  // Only fd 3 is a pipe: the shim keeps its stdio for life, so a pipe there would never reach EOF.
  const child = spawn(shimPath(), [join(stateDir, "spec")], { stdio: ["ignore", "ignore", "ignore", "pipe"] });
  const spawnFailed = new Promise<string>((resolve) => child.once("error", (e) => resolve(`err helper 0 ${e.message}`)));
  const line = (await Promise.race([readAll(child.stdio[3] as Readable), spawnFailed])).trim();
  if (line.startsWith("ok ")) {
    const [, pid, shimPid] = line.split(" ").map(Number);
    return { pid, shimPid, startedAt: readContainerStatus(stateDir).startedAt ?? Date.now() };
  }
  // The shim reports, then exits: wait for it, so a failed start has nothing left running when we throw.
  for (let i = 0; i < 100 && shimAlive(stateDir); i++) await sleep(5);
  const [, step = "helper", errno = "0", ...rest] = line.split(" ");
  const detail = line ? rest.join(" ") : "the helper exited without a report";
  throw new ContainerStartError(id, step, Number(errno), detail, hint(step, Number(errno), detail));
}

/** execve's detail is the program name. */
function hint(step: string, errno: number, command: string): string {
  if (step === "execve" && errno === 2) return ` (no "${command}" in the image's PATH)`;
  if (step === "execve" && errno === 13) return ` ("${command}" is not executable)`;
  return "";
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => { text += chunk; });
    stream.on("end", () => resolve(text));
    stream.on("error", () => resolve(text));
  });
}
