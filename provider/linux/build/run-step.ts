/**
 * RUN: the command runs in a container on cinfra's own runtime (native shim, namespaces, cgroup,
 * overlay over the layers so far, Docker's default capabilities and seccomp filter) with no network
 * (its own network namespace with only loopback). After it exits, its overlay upper dir is the
 * step's layer (commit's translation of whiteouts). Everything it created on the host (cgroup,
 * netns, state and overlay dirs, leftover processes) is removed whether it succeeded or not.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, readdirSync, rmSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RuntimeError } from "../../../core/errors.js";
import type { CgroupManager } from "../cgroups/index.js";
import type { RuntimeConfig } from "../config.js";
import { createNetns, removeNetns } from "../net/netns.js";
import type { ContainerInputs } from "../resources/container-inputs.js";
import type { ContainerPaths } from "../resources/container-paths.js";
import { buildSpec } from "../resources/container-spec.js";
import { UndoStack } from "../resources/undo-stack.js";
import { resolveUser } from "../resources/user-lookup.js";
import { startContainer } from "../supervise/start.js";
import { readContainerStatus } from "../supervise/status.js";
import { stopContainer } from "../supervise/stop.js";
import type { ImageFs } from "./image-fs.js";

export interface RunDeps {
  config: RuntimeConfig;
  cgroups: CgroupManager;
}

export interface RunInput {
  /** Unique per step; names the cgroup, dirs and netns (`build-…`). */
  id: string;
  image: ImageFs;
  args: string[];
  env: string[];
  cwd: string;
  user?: string;
  step: string;
  /** The command's output as it comes. */
  onOutput?: (text: string) => void;
}

/** A RUN whose command failed: the step, its exit code and the end of its output. */
export class RunStepError extends RuntimeError {
  constructor(readonly step: string, readonly exitCode: number, readonly tail: string) {
    super("BUILD_RUN_FAILED", `${step}: exited with code ${exitCode}${tail ? `; last output:\n${tail}` : " (no output)"}`);
  }
}

const MOUNTPOINTS = ["proc", "sys", "dev"];
const TAIL_LINES = 20;

/** Run the step; `withUpper` gets the upper dir (the step's changes) before everything is removed. */
export async function runStep<T>(deps: RunDeps, input: RunInput, withUpper: (upper: string) => Promise<T>): Promise<T> {
  const { config, cgroups } = deps;
  const dir = join(config.libRoot, "builds", input.id);
  const stateDir = join(config.runRoot, "builds", input.id);
  const paths: ContainerPaths = {
    dir, upper: join(dir, "upper"), work: join(dir, "work"), rootfs: join(dir, "merged"), idmapped: join(dir, "idmapped"), hosts: join(dir, "hosts"),
    hostname: join(dir, "hostname"), resolv: join(dir, "resolv.conf"), log: join(dir, "output.log"), stateDir,
    netns: join(config.runRoot, "builds", `${input.id}.netns`),
  };
  const undo = new UndoStack();
  try {
    undo.push("build dirs", () => {
      rmSync(dir, { recursive: true, force: true });
      rmSync(stateDir, { recursive: true, force: true });
    });
    const empty = join(dir, "empty"); // overlayfs needs a lower dir even over no layer (FROM scratch)
    for (const d of [paths.upper, paths.work, paths.rootfs, stateDir, empty]) mkdirSync(d, { recursive: true });
    await cgroups.create(input.id, {});
    undo.push("cgroup", async () => {
      await cgroups.kill(input.id); // a daemon the command left behind goes with it
      await cgroups.destroy(input.id);
      await cgroups.removeParent();
    });
    createNetns(paths.netns);
    undo.push("netns", () => removeNetns(paths.netns));
    const lowerDirs = input.image.lowerDirs.length ? [...input.image.lowerDirs] : [empty];
    const inputs = { image: { $ref: "image.build" }, network: "none" } as unknown as ContainerInputs;
    const spec = buildSpec({
      id: input.id, paths, lowerDirs, hostname: "buildkitsandbox", user: resolveUser(input.user, lowerDirs), inputs,
      args: input.args, env: input.env, cwd: input.cwd, cgroupProcs: cgroups.procsFiles(input.id),
      volumes: () => undefined, devices: [], shared: { net: { kind: "own" } },
    });
    // No managed /etc files: they would land in the layer as mountpoints.
    spec.mounts = spec.mounts.filter((m) => !m.target.startsWith("/etc/"));
    await startContainer(spec);
    undo.push("process", () => stopContainer(stateDir, { signal: "SIGKILL", timeoutMs: 0 }));
    const exitCode = await waitForExit(stateDir, paths.log, input.onOutput ?? (() => {}));
    if (exitCode !== 0) throw new RunStepError(input.step, exitCode, readTail(paths.log).split("\n").filter(Boolean).slice(-TAIL_LINES).join("\n"));
    dropMountpoints(paths.upper, input.image);
    return await withUpper(paths.upper);
  } finally {
    const problems = await undo.unwind();
    if (problems.length) throw new RuntimeError("BUILD_CLEANUP", `${input.step}: cleanup failed: ${problems.join("; ")}`);
  }
}

/** Poll the shim's record until the command exits, passing on its output meanwhile. */
async function waitForExit(stateDir: string, log: string, onOutput: (text: string) => void): Promise<number> {
  let offset = 0;
  const decoder = new StringDecoder("utf8");
  const forward = () => {
    let fd: number;
    try {
      fd = openSync(log, "r");
    } catch {
      return; // no output yet
    }
    try {
      const chunk = Buffer.alloc(64 * 1024);
      for (let n = readSync(fd, chunk, 0, chunk.length, offset); n > 0; n = readSync(fd, chunk, 0, chunk.length, offset)) {
        offset += n;
        onOutput(decoder.write(chunk.subarray(0, n)));
      }
    } finally {
      closeSync(fd);
    }
  };
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    const status = readContainerStatus(stateDir);
    forward();
    if (status.state === "exited" || status.state === "dead") {
      forward();
      return status.state === "exited" ? status.exitCode ?? 255 : 255;
    }
    await sleep(delay);
  }
}

/** The end of the output (the last 16 KiB: enough for the last lines, whatever the log's size). */
function readTail(log: string, bytes = 16 * 1024): string {
  try {
    const fd = openSync(log, "r");
    try {
      const size = fstatSync(fd).size;
      const buffer = Buffer.alloc(Math.min(size, bytes));
      readSync(fd, buffer, 0, buffer.length, size - buffer.length);
      return buffer.toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
}

/** Directories the runtime created only to mount /proc, /sys, /dev on: not the command's doing. */
function dropMountpoints(upper: string, image: ImageFs): void {
  for (const name of MOUNTPOINTS) {
    const path = join(upper, name);
    try {
      if (readdirSync(path).length === 0 && !image.lookup([name])) rmSync(path, { recursive: true });
    } catch {
      // not there
    }
  }
}
