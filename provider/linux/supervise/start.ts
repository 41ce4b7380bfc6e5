/**
 * Start a container: write the spec, spawn the native helper, and wait for its one-line report on
 * fd 3 ("ok <pid>" or "err <step> <errno> …"). The helper detaches at once, so the container and its
 * shim outlive this process.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { RuntimeError, errnoName } from "../../../core/errors.js";
import { shimPath } from "../native/locate.js";
import { encodeSpec, type ContainerSpec } from "./spec.js";
import { writeRestartPolicy } from "./stop.js";

export interface StartedContainer {
  pid: number;
  startedAt: number;
}

/** Write the spec and restart policy without starting (a container created "stopped"). */
export function prepareContainer(spec: ContainerSpec, restart?: string): void {
  mkdirSync(spec.stateDir, { recursive: true });
  writeRestartPolicy(spec.stateDir, restart);
  writeFileSync(join(spec.stateDir, "spec"), encodeSpec(spec));
}

export async function startContainer(spec: ContainerSpec, restart?: string): Promise<StartedContainer> {
  prepareContainer(spec, restart);
  return launch(spec.stateDir, spec.id, spec.args[0]);
}

/** Start a stopped container again from the spec it was created with (`docker start`). */
export async function restartContainer(stateDir: string, id: string): Promise<StartedContainer> {
  for (const file of ["stopped", "exit", "pid", "shim"]) rmSync(join(stateDir, file), { force: true });
  return launch(stateDir, id, "the command");
}

async function launch(stateDir: string, id: string, command: string): Promise<StartedContainer> {
  const specFile = join(stateDir, "spec");
  // Only fd 3 is a pipe: the shim keeps its stdio for life, so a pipe there would never reach EOF.
  const child = spawn(shimPath(), [specFile], { stdio: ["ignore", "ignore", "ignore", "pipe"] });
  const line = (await readAll(child.stdio[3] as Readable)).trim();
  if (line.startsWith("ok ")) return { pid: Number(line.slice(3)), startedAt: Date.now() };
  const [, step = "unknown", errno = "0", ...detail] = line.split(" ");
  const why = line ? `${step}: ${errnoName(Number(errno))}${detail.length ? ` ${detail.join(" ")}` : ""}` : "the helper exited without a report";
  throw new RuntimeError("CONTAINER_START", `container ${id} did not start: ${why}${hint(step, Number(errno), command)}`);
}

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
