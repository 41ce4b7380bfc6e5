/**
 * RUN: the command runs in a container on cinfra's own runtime (native shim, namespaces, cgroup,
 * overlay over the layers so far, Docker's default capabilities and seccomp filter) with no network
 * (its own network namespace with only loopback). After it exits, its overlay upper dir is the
 * step's layer (commit's translation of whiteouts). Everything it created on the host (cgroup,
 * netns, state and overlay dirs, leftover processes) is removed whether it succeeded or not.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
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
export async function runStep<T>(deps: RunDeps, input: RunInput, withUpper: (upper: string, output: string) => Promise<T>): Promise<T> {
  const { config, cgroups } = deps;
  const dir = join(config.libRoot, "builds", input.id);
  const stateDir = join(config.runRoot, "builds", input.id);
  const paths: ContainerPaths = {
    dir, upper: join(dir, "upper"), work: join(dir, "work"), rootfs: join(dir, "merged"), hosts: join(dir, "hosts"),
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
    const exitCode = await waitForExit(stateDir);
    const output = readOutput(paths.log);
    if (exitCode !== 0) throw new RunStepError(input.step, exitCode, output.split("\n").filter(Boolean).slice(-TAIL_LINES).join("\n"));
    dropMountpoints(paths.upper, input.image);
    return await withUpper(paths.upper, output);
  } finally {
    const problems = await undo.unwind();
    if (problems.length) throw new RuntimeError("BUILD_CLEANUP", `${input.step}: cleanup failed: ${problems.join("; ")}`);
  }
}

async function waitForExit(stateDir: string): Promise<number> {
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    const status = readContainerStatus(stateDir);
    if (status.state === "exited") return status.exitCode ?? 255;
    if (status.state === "dead") return 255;
    await sleep(delay);
  }
}

function readOutput(log: string): string {
  try {
    return readFileSync(log, "utf8");
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
