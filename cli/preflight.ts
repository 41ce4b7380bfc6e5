/**
 * Checks of the program against this host's files, before planning: a missing rootfs or bind
 * source, a host port in use or a limit whose cgroup controller this host lacks is a clear error
 * naming the property, not a failure halfway through apply.
 */
import { existsSync } from "node:fs";
import { ValidationError } from "../core/errors.js";
import type { DesiredResource, StackState } from "../core/model/types.js";
import { hostPortsInUse } from "../provider/linux/resources/ports.js";
import { defaultRuntimeConfig } from "../provider/linux/config.js";
import { unsupportedLimits } from "../provider/linux/cgroups/limit-support.js";

export function checkHostInputs(resources: readonly DesiredResource[], state: StackState): void {
  checkHostPorts(resources, state);
  checkCgroupLimits(resources);
  for (const r of resources) {
    if (r.kind === "image" && typeof r.props.rootfs === "string" && !existsSync(r.props.rootfs)) {
      throw new ValidationError(`image.${r.name}.rootfs`, `${r.props.rootfs} does not exist`, r.location);
    }
    if (r.kind === "container" && Array.isArray(r.props.mounts)) {
      r.props.mounts.forEach((m, i) => {
        const hostPath = (m as { hostPath?: string }).hostPath;
        if (hostPath && !existsSync(hostPath)) {
          throw new ValidationError(`container.${r.name}.mounts[${i}].hostPath`, `${hostPath} does not exist`, r.location);
        }
      });
    }
  }
}

/** A host port something else already listens on is an error now, not a failed start halfway through apply. */
function checkHostPorts(resources: readonly DesiredResource[], state: StackState): void {
  type Port = { host: number; protocol: "tcp" | "udp"; hostIp: string };
  const ours = new Set(state.resources.flatMap((r) => ((r.inputs.ports ?? []) as Port[]).map((p) => `${p.protocol}/${p.host}`)));
  for (const r of resources) {
    const ports = (Array.isArray(r.props.ports) ? r.props.ports : []) as Port[];
    ports.forEach((p, i) => {
      if (ours.has(`${p.protocol}/${p.host}`)) return; // this stack's own relay holds it
      if (hostPortsInUse([{ hostIp: p.hostIp, hostPort: p.host, protocol: p.protocol }]).length) {
        throw new ValidationError(`container.${r.name}.ports[${i}].host`, `${p.hostIp}:${p.host}/${p.protocol} is already in use on this host`, r.location);
      }
    });
  }
}

/** Every declared limit needs its controller on this host (net_cls/net_prio have none on v2). */
function checkCgroupLimits(resources: readonly DesiredResource[]): void {
  const host = { root: defaultRuntimeConfig().cgroupRoot };
  for (const r of resources) {
    const limits = r.kind === "container" ? r.props.limits : undefined;
    if (!limits || typeof limits !== "object" || Array.isArray(limits)) continue;
    const [first] = unsupportedLimits(host, limits as Record<string, unknown>);
    if (first) throw new ValidationError(`container.${r.name}.limits.${first.path}`, first.reason, r.location);
  }
}
