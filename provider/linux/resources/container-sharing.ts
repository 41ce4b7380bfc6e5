/**
 * Namespaces a container joins instead of creating its own: Docker's `--network container:web` and
 * `--ipc container:web`. The network namespace is the owner's named netns, so it outlives the owner's
 * restarts; the IPC namespace belongs to the owner's current process (a sharer started before an owner
 * restart keeps the old one, as with Docker). The pid namespace dies with the owner's PID 1, so a sharer's
 * shim looks up the owner's current process in the owner's state dir at every start (native/shim.c).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import type { OperationContext } from "../../../core/runtime.js";
import type { Ref, ResourceState } from "../../../core/model/types.js";
import type { RuntimeConfig } from "../config.js";
import { readContainerStatus } from "../supervise/status.js";
import { asContainerInputs, type ContainerInputs } from "./container-inputs.js";
import { containerPaths, type ContainerPaths } from "./container-paths.js";

export interface SharedNamespaces {
  /** The network mode the process gets: its own netns, the owner's, or the host's. */
  net: { kind: "own" } | { kind: "host" } | { kind: "joined"; netnsPath: string; owner: ContainerPaths; hostname: string };
  /** `/proc/<owner pid>/ns/ipc` when the IPC namespace is joined. */
  ipcnsPath?: string;
  /** The owner's state dir when the pid namespace is joined. */
  pidnsOwner?: string;
}

function owner(ctx: OperationContext, ref: Ref, what: string): ResourceState {
  const state = ctx.deps.get(ref.$ref);
  if (!state) throw new RuntimeError("SHARED_NAMESPACE_MISSING", `${what}: container ${ref.$ref} does not exist`);
  return state;
}

export function sharedNamespaces(ctx: OperationContext, config: RuntimeConfig, inputs: ContainerInputs): SharedNamespaces {
  const out: SharedNamespaces = { net: inputs.network === "host" ? { kind: "host" } : { kind: "own" } };
  if (typeof inputs.network === "object") {
    const state = owner(ctx, inputs.network.container, "network");
    const mode = asContainerInputs(state.inputs).network;
    if (mode === "host") out.net = { kind: "host" };
    else if (typeof mode === "object") {
      throw new RuntimeError("SHARED_NAMESPACE_CHAIN", `network: ${inputs.network.container.$ref} itself joins ${mode.container.$ref}'s network; join that one directly`);
    } else {
      const paths = containerPaths(config, state.id);
      if (!existsSync(paths.netns)) throw new RuntimeError("SHARED_NAMESPACE_MISSING", `network: ${inputs.network.container.$ref} has no network namespace on this host (${paths.netns})`);
      out.net = { kind: "joined", netnsPath: paths.netns, owner: paths, hostname: readFileSync(paths.hostname, "utf8").trim() };
    }
  }
  if (inputs.ipc) {
    const state = owner(ctx, inputs.ipc.container, "ipc");
    const { pid } = readContainerStatus(containerPaths(config, state.id).stateDir);
    const path = pid ? join("/proc", String(pid), "ns", "ipc") : undefined;
    if (!path || !existsSync(path)) throw new RuntimeError("SHARED_NAMESPACE_MISSING", `ipc: ${inputs.ipc.container.$ref} is not running, so it has no IPC namespace to join`);
    out.ipcnsPath = path;
  }
  if (inputs.pid) {
    const state = owner(ctx, inputs.pid.container, "pid");
    const stateDir = containerPaths(config, state.id).stateDir;
    if (readContainerStatus(stateDir).state !== "running") {
      throw new RuntimeError("SHARED_NAMESPACE_MISSING", `pid: ${inputs.pid.container.$ref} is not running, so it has no pid namespace to join`);
    }
    out.pidnsOwner = stateDir;
  }
  return out;
}
