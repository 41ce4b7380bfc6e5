/**
 * Start a container: write the spec, spawn the native helper, and wait for its one-line report on
 * fd 3 ("ok <pid>" or "err <step> <errno> …"). The helper detaches at once, so the container and its
 * shim outlive this process.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
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

export async function startContainer(spec: ContainerSpec, restart?: string): Promise<StartedContainer> {
  mkdirSync(spec.stateDir, { recursive: true });
  writeRestartPolicy(spec.stateDir, restart);
  const specFile = join(spec.stateDir, "spec");
  writeFileSync(specFile, encodeSpec(spec));
  // Only fd 3 is a pipe: the shim keeps its stdio for life, so a pipe there would never reach EOF.
  const child = spawn(shimPath(), [specFile], { stdio: ["ignore", "ignore", "ignore", "pipe"] });
  const line = (await readAll(child.stdio[3] as Readable)).trim();
  if (line.startsWith("ok ")) return { pid: Number(line.slice(3)), startedAt: Date.now() };
  const [, step = "unknown", errno = "0", ...detail] = line.split(" ");
  const why = line ? `${step}: ${errnoName(Number(errno))}${detail.length ? ` ${detail.join(" ")}` : ""}` : "the helper exited without a report";
  throw new RuntimeError("CONTAINER_START", `container ${spec.id} did not start: ${why}${hint(step, Number(errno), spec)}`);
}

function hint(step: string, errno: number, spec: ContainerSpec): string {
  if (step === "execve" && errno === 2) return ` (no "${spec.args[0]}" in the image's PATH)`;
  if (step === "execve" && errno === 13) return ` ("${spec.args[0]}" is not executable)`;
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
