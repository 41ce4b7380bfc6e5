/**
 * `desiredState`: running, stopped (kept, like `docker stop`) or paused (cgroup freezer, no restart).
 * Moves a container between them live; the planner only sends this as an in-place update.
 */
import type { CgroupManager } from "../cgroups/index.js";
import { restartContainer } from "../supervise/start.js";
import { readContainerStatus } from "../supervise/status.js";
import { stopContainer } from "../supervise/stop.js";
import type { ContainerInputs } from "./container-inputs.js";

export type DesiredState = "running" | "stopped" | "paused";

export async function observedState(cgroups: CgroupManager, id: string, stateDir: string): Promise<DesiredState> {
  const status = readContainerStatus(stateDir);
  if (status.state !== "running") return "stopped";
  return (await cgroups.frozen(id).catch(() => false)) ? "paused" : "running";
}

export async function moveToState(
  cgroups: CgroupManager, id: string, stateDir: string, inputs: ContainerInputs, wanted: DesiredState,
): Promise<void> {
  const now = await observedState(cgroups, id, stateDir);
  if (now === wanted) return;
  if (now === "paused") await cgroups.thaw(id);
  if (wanted === "stopped") {
    await stopContainer(stateDir, { signal: inputs.stopSignal ?? "SIGTERM", timeoutMs: (inputs.stopTimeout ?? 10) * 1000 });
    return;
  }
  if (now === "stopped") await restartContainer(stateDir, id);
  if (wanted === "paused") await cgroups.freeze(id);
}
