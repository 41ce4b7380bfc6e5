/** Pick the cgroup manager for this host: v2 when the root is a unified hierarchy, v1 otherwise. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CgroupManager } from "./types.js";
import { CgroupV1 } from "./v1.js";
import { CgroupV2 } from "./v2.js";

export type { BlkioThrottle, CgroupLimits, CgroupManager, CgroupStats } from "./types.js";
export { CgroupV1 } from "./v1.js";
export { CgroupV2 } from "./v2.js";

export interface CgroupOptions {
  root: string;
  parent: string;
  version?: 1 | 2 | "auto";
}

export function detectCgroupVersion(root: string): 1 | 2 {
  // A unified root has cgroup.controllers; a v1 (or hybrid) root is a tmpfs of per-controller mounts.
  return existsSync(join(root, "cgroup.controllers")) ? 2 : 1;
}

export function createCgroupManager(options: CgroupOptions): CgroupManager {
  const version = options.version === undefined || options.version === "auto" ? detectCgroupVersion(options.root) : options.version;
  return version === 2 ? new CgroupV2(options.root, options.parent) : new CgroupV1(options.root, options.parent);
}
