/**
 * Drift of joined namespaces: a sharer must be in the namespace its owner has now. An owner restart
 * gives the owner a new IPC namespace while a running sharer keeps the old one (pid sharers die with the
 * old pid namespace and rejoin on restart; the named netns survives restarts, a replaced owner does not).
 * Compared by namespace inode, only while both run: a stopped owner is a finding of its own.
 */
import { readlinkSync, statSync } from "node:fs";
import type { PropValue, ResourceState, Urn } from "../../../core/model/types.js";
import type { RuntimeConfig } from "../config.js";
import { readContainerStatus } from "../supervise/status.js";
import { containerPaths } from "./container-paths.js";

type Found = (attribute: string, expected: PropValue, actual: PropValue, detail?: string) => void;

const NAMESPACES = ["network", "ipc", "pid"] as const;
const PROC_NAME = { network: "net", ipc: "ipc", pid: "pid" } as const;

function runningPid(config: RuntimeConfig, id: string): number | null {
  const status = readContainerStatus(containerPaths(config, id).stateDir);
  return status.state === "running" ? status.pid : null;
}

function nsOf(pid: number, name: string): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/${name}`);
  } catch {
    return null;
  }
}

/** The namespace the owner gives now: its netns file for the network (it outlives the process), else its process's. */
function ownerNamespace(config: RuntimeConfig, owner: ResourceState, ns: (typeof NAMESPACES)[number]): string | null {
  if (ns === "network") {
    try {
      return `net:[${statSync(containerPaths(config, owner.id).netns).ino}]`;
    } catch {
      return null;
    }
  }
  const pid = runningPid(config, owner.id);
  return pid === null ? null : nsOf(pid, PROC_NAME[ns]);
}

export function probeSharedNamespaces(config: RuntimeConfig, r: ResourceState, byUrn: ReadonlyMap<Urn, ResourceState>, found: Found): void {
  const pid = runningPid(config, r.id);
  if (pid === null) return;
  for (const ns of NAMESPACES) {
    const mode = r.inputs[ns] as { container?: { $ref?: Urn } } | undefined;
    const ownerUrn = typeof mode === "object" && mode !== null ? mode.container?.$ref : undefined;
    const owner = ownerUrn ? byUrn.get(ownerUrn) : undefined;
    if (!owner) continue;
    const expected = ownerNamespace(config, owner, ns);
    const actual = nsOf(pid, PROC_NAME[ns]);
    if (expected === null || actual === null || expected === actual) continue;
    found(`${ns}.container`, expected, actual, `not in ${owner.urn}'s ${ns} namespace (the owner was restarted or replaced since this container started)`);
  }
}
