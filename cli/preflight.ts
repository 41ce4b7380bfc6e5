/**
 * Checks of the program against this host's files, before planning: a missing rootfs or bind
 * source is a clear error naming the property, not a failure halfway through apply.
 */
import { existsSync } from "node:fs";
import { ValidationError } from "../core/errors.js";
import type { DesiredResource } from "../core/model/types.js";

export function checkHostInputs(resources: readonly DesiredResource[]): void {
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
