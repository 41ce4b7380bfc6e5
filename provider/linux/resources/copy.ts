/**
 * `cinfra cp` and `cinfra export`: the container's filesystem as its processes see it, reached through
 * /proc/<pid>/root (the merged overlay, with its volumes and bind mounts, in its own mount namespace).
 */
import { cpSync, existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { RuntimeError } from "../../../core/errors.js";
import { readContainerStatus } from "../supervise/status.js";

function rootOf(stateDir: string): string {
  const status = readContainerStatus(stateDir);
  if (status.state !== "running" || status.pid === null) {
    throw new RuntimeError("NOT_RUNNING", `the container is ${status.state}: cp and export read a running container's filesystem`);
  }
  return `/proc/${status.pid}/root`;
}

/** Like `docker cp`: a directory target receives the source under its own name. */
function copy(from: string, to: string): void {
  if (!existsSync(from)) throw new RuntimeError("NO_SUCH_PATH", `${from} does not exist`);
  const target = existsSync(to) && statSync(to).isDirectory() ? join(to, basename(from)) : to;
  cpSync(from, target, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
}

export function copyFromContainer(stateDir: string, containerPath: string, hostPath: string): void {
  copy(join(rootOf(stateDir), containerPath), hostPath);
}

export function copyToContainer(stateDir: string, hostPath: string, containerPath: string): void {
  copy(hostPath, join(rootOf(stateDir), containerPath));
}

/** The merged root filesystem as a tar stream (without the kernel's /proc, /sys and /dev). */
export async function exportFilesystem(stateDir: string, out: Writable): Promise<void> {
  const root = rootOf(stateDir);
  const { create } = await import("tar");
  const skip = new Set(["proc", "sys", "dev"]);
  const entries = (await import("node:fs")).readdirSync(root).filter((e) => !skip.has(e));
  await pipeline(create({ cwd: root, portable: false, preservePaths: false }, entries), out);
}
