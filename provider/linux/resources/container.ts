/** Container operations: create (container-start.ts), live update of limits, stop+delete, read of live state. */
import { existsSync, rmSync } from "node:fs";
import type { KindOperations, LiveResource } from "../../../core/runtime.js";
import type { Props, ResourceState } from "../../../core/model/types.js";
import { formatSize } from "../../../core/model/units.js";
import { readContainerStatus } from "../supervise/status.js";
import { readRestartPolicy, stopContainer, writeRestartPolicy } from "../supervise/stop.js";
import { asContainerInputs, cgroupLimits } from "./container-inputs.js";
import { replacementLimits } from "../cgroups/index.js";
import { detachNetworks, readAttachments } from "./container-network.js";
import { containerPaths } from "./container-paths.js";
import { createContainer, type ContainerDeps } from "./container-start.js";
import { moveToState, observedState } from "./container-run-state.js";
import { stopPortProxy } from "./ports.js";
import { releaseUserns } from "./userns.js";

const DEFAULT_STOP_TIMEOUT_S = 10;

export function containerOperations(deps: ContainerDeps): KindOperations {
  const { config, cgroups, images } = deps;
  return {
    create: (ctx, req) => createContainer(deps, ctx, req),

    async update(_ctx, prior, props) {
      // Only live-updatable props reach here (the schema says which): limits go to the cgroup now;
      // restart and stop settings are read from state when they are needed.
      const next = asContainerInputs(props);
      const before = asContainerInputs(prior.inputs);
      if (JSON.stringify(next.limits) !== JSON.stringify(before.limits)) {
        // A limit the new props drop goes back to the kernel default; the others are written as declared.
        await cgroups.update(prior.id, replacementLimits(cgroupLimits(before.limits ?? {}), cgroupLimits(next.limits ?? {})));
      }
      const stateDir = containerPaths(config, prior.id).stateDir;
      if (next.restart !== before.restart) writeRestartPolicy(stateDir, next.restart);
      if ((next.desiredState ?? "running") !== (before.desiredState ?? "running")) {
        await moveToState(cgroups, prior.id, stateDir, next, next.desiredState ?? "running");
        return (await readContainer(deps, { ...prior, inputs: props }))?.outputs ?? prior.outputs;
      }
      return prior.outputs;
    },

    async delete(_ctx, prior) {
      const paths = containerPaths(config, prior.id);
      if (await cgroups.frozen(prior.id).catch(() => false)) await cgroups.thaw(prior.id); // a frozen task cannot stop
      stopPortProxy(paths.stateDir);
      const inputs = asContainerInputs(prior.inputs);
      if (existsSync(paths.stateDir)) {
        await stopContainer(paths.stateDir, {
          signal: inputs.stopSignal ?? "SIGTERM",
          timeoutMs: (inputs.stopTimeout ?? DEFAULT_STOP_TIMEOUT_S) * 1000,
        });
      }
      await cgroups.kill(prior.id);
      await cgroups.destroy(prior.id);
      await cgroups.removeParent();
      detachNetworks(config, deps.links(), prior.id, paths);
      images.releaseHolder(prior.id);
      releaseUserns(config, prior.id);
      rmSync(paths.dir, { recursive: true, force: true });
      rmSync(paths.stateDir, { recursive: true, force: true });
    },

    async read(_ctx, prior) {
      return readContainer(deps, prior);
    },
  };
}

/** What really runs: process state from the shim's records, limits from the kernel's cgroup files. */
export async function readContainer(deps: ContainerDeps, prior: ResourceState): Promise<LiveResource | null> {
  const paths = containerPaths(deps.config, prior.id);
  if (!existsSync(paths.dir)) return null;
  const status = readContainerStatus(paths.stateDir);
  const limits = await deps.cgroups.read(prior.id).catch(() => null);
  const props: Props = { ...prior.inputs };
  if (prior.inputs.restart !== undefined) props.restart = readRestartPolicy(paths.stateDir);
  if (prior.inputs.desiredState !== undefined) props.desiredState = await observedState(deps.cgroups, prior.id, paths.stateDir);
  if (limits && prior.inputs.limits) {
    const declared = prior.inputs.limits as Props;
    const live: Props = {};
    if (declared.memory !== undefined && limits.memory !== undefined) live.memory = formatSize(limits.memory);
    if (declared.cpus !== undefined && limits.cpus !== undefined) live.cpus = limits.cpus;
    if (declared.pids !== undefined && limits.pids !== undefined) live.pids = limits.pids;
    if (declared.netClassId !== undefined && limits.netClassId !== undefined) live.netClassId = limits.netClassId;
    if (declared.netPriorities !== undefined && limits.netPriorities !== undefined) live.netPriorities = limits.netPriorities;
    if (declared.hugepages !== undefined && limits.hugepages !== undefined) {
      live.hugepages = Object.fromEntries(Object.entries(limits.hugepages).map(([size, bytes]) => [size, formatSize(bytes)]));
    }
    props.limits = { ...declared, ...live };
  }
  const ipAddresses = Object.fromEntries(readAttachments(paths).map((a) => [a.networkName, a.ip]));
  const outputs: Props = { id: prior.id, ipAddresses };
  if (status.pid !== null) outputs.pid = status.pid;
  if (status.startedAt !== null) outputs.startedAt = new Date(status.startedAt).toISOString();
  if (status.exitCode !== null) outputs.exitCode = status.exitCode;
  outputs.restarts = status.restarts;
  return { id: prior.id, props, outputs, status: status.state };
}
