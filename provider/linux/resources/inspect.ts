/**
 * What `docker inspect` shows, for a cinfra container: run state, the overlay's dirs, namespace ids,
 * cgroup paths with their current limits, network attachments; and `top`: its processes with host and
 * container pids.
 */
import { readFileSync, readlinkSync } from "node:fs";
import { parseUrn, type ResourceState } from "../../../core/model/types.js";
import type { CgroupManager } from "../cgroups/index.js";
import type { RuntimeConfig } from "../config.js";
import { readContainerStatus } from "../supervise/status.js";
import { readAttachments } from "./container-network.js";
import { containerPaths } from "./container-paths.js";
import { observedState } from "./container-run-state.js";
import { asContainerInputs } from "./container-inputs.js";

const NAMESPACES = ["pid", "mnt", "uts", "ipc", "net", "cgroup", "user"];

export async function inspectContainer(config: RuntimeConfig, cgroups: CgroupManager, state: ResourceState): Promise<Record<string, unknown>> {
  const paths = containerPaths(config, state.id);
  const status = readContainerStatus(paths.stateDir);
  const namespaces: Record<string, string | null> = {};
  for (const ns of NAMESPACES) {
    try {
      namespaces[ns] = status.pid !== null && status.state === "running" ? readlinkSync(`/proc/${status.pid}/ns/${ns}`) : null;
    } catch {
      namespaces[ns] = null;
    }
  }
  const exitCode = status.exitCode;
  const running = status.pid !== null && status.state === "running";
  return {
    Id: state.id,
    Name: state.name,
    State: {
      Status: (await observedState(cgroups, state.id, paths.stateDir)) === "paused" ? "paused" : status.state,
      Pid: status.state === "running" ? status.pid : 0,
      ExitCode: exitCode ?? 0,
      OOMKilled: exitCode === 137 && (await cgroups.stats(state.id).catch(() => null))?.oomKills !== 0,
      RestartCount: status.restarts,
      StartedAt: status.startedAt ? new Date(status.startedAt).toISOString() : null,
      FinishedAt: status.finishedAt ? new Date(status.finishedAt).toISOString() : null,
    },
    GraphDriver: { Name: "overlay", Data: { UpperDir: paths.upper, WorkDir: paths.work, MergedDir: paths.rootfs } },
    Namespaces: namespaces,
    IdMappings: running ? { UidMap: idMap(status.pid!, "uid_map"), GidMap: idMap(status.pid!, "gid_map") } : null,
    HostConfig: hostConfig(state),
    Cgroup: { Version: cgroups.version, Paths: cgroups.procsFiles(state.id).map((f) => f.replace(/\/cgroup\.procs$/, "")), Limits: await cgroups.read(state.id).catch(() => ({})) },
    NetworkSettings: readAttachments(paths).map((a) => ({ Network: a.networkName, IPAddress: a.ip, Gateway: a.gateway, PrefixLen: a.prefix, HostInterface: a.hostIf, Interface: a.ifName })),
    LogPath: paths.log,
    Config: state.inputs,
  };
}

/** The live maps, as `docker inspect` users read them from /proc: "containerId hostId size" per range. */
function idMap(pid: number, file: "uid_map" | "gid_map"): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8").trim().split("\n").map((l) => l.trim().split(/\s+/).join(" "));
  } catch {
    return null;
  }
}

/** Docker's namespace modes: "container:<name>" for a joined namespace (Docker names the id; the stack's name reads better). */
function hostConfig(state: ResourceState): Record<string, string> {
  const inputs = asContainerInputs(state.inputs);
  const joined = (mode: { container: { $ref: string } } | undefined) => (mode ? `container:${parseUrn(mode.container.$ref).name}` : undefined);
  const network = typeof inputs.network === "object" ? joined(inputs.network)! : inputs.network ?? (inputs.networks?.length ? "bridge" : "none");
  return { NetworkMode: network, IpcMode: joined(inputs.ipc) ?? "private", PidMode: joined(inputs.pid) ?? "", UsernsMode: inputs.userns ? "private" : "host" };
}

export interface ProcessRow {
  hostPid: number;
  containerPid: number;
  command: string;
}

export async function containerProcesses(cgroups: CgroupManager, state: ResourceState): Promise<ProcessRow[]> {
  const rows: ProcessRow[] = [];
  for (const pid of await cgroups.pids(state.id)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const nspid = /^NSpid:\s+(.+)$/m.exec(status)?.[1].trim().split(/\s+/).map(Number) ?? [pid];
      const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
      rows.push({ hostPid: pid, containerPid: nspid[nspid.length - 1], command });
    } catch {
      // exited while listing
    }
  }
  return rows.sort((a, b) => a.containerPid - b.containerPid);
}
