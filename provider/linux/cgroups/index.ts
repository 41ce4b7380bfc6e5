/** Pick the cgroup manager for a root: v2 on a unified hierarchy, v1 where controllers are mounted as v1 (hybrid too). */
import { chooseVersion, detectCgroupLayout } from "./detect.js";
import { loadBpfSyscalls, type BpfSyscalls } from "../sys/bpf-syscalls.js";
import type { CgroupManager } from "./types.js";
import { CgroupV1 } from "./v1.js";
import { CgroupV2 } from "./v2.js";
import { bpfDeviceGuard, type DeviceGuard } from "./v2-devices.js";

export type { BlkioThrottle, CgroupLimits, CgroupLimitsUpdate, CgroupManager, CgroupStats } from "./types.js";
export { DEFAULT_DEVICE_RULES } from "./types.js";
export {
  CPU_PERIOD_US, canonicalCpuList, cpusToQuota, normalizeLimits, quotaToCpus, replacementLimits, sharesToWeight, weightToShares,
} from "./conversions.js";
export { detectCgroupLayout, type CgroupLayout } from "./detect.js";
export { CgroupV1 } from "./v1.js";
export { CgroupV2 } from "./v2.js";
export { bpfDeviceGuard, type DeviceGuard } from "./v2-devices.js";

export interface CgroupOptions {
  /** Where the hierarchies live: /sys/fs/cgroup, or a cgroupfs-shaped temp dir in tests. */
  root: string;
  /** cinfra's parent cgroup ("cinfra"; tests use "cinfra<tag>"). */
  parent: string;
  version?: 1 | 2 | "auto";
  /** v2's device allow-list; default: a BPF device program per cgroup (tests on temp dirs pass a recorder). */
  devices?: DeviceGuard;
}

let bpf: BpfSyscalls | undefined;
/** koffi loads on the first device program, not with the module. */
const lazyBpf = () => (bpf ??= loadBpfSyscalls());

export function detectCgroupVersion(root: string): 1 | 2 {
  return chooseVersion(detectCgroupLayout(root));
}

export function createCgroupManager(options: CgroupOptions): CgroupManager {
  const layout = detectCgroupLayout(options.root);
  const version = options.version === undefined || options.version === "auto" ? chooseVersion(layout) : options.version;
  if (version === 1) return new CgroupV1(options.root, options.parent, layout.v1);
  // A hybrid host with no v1 controller at all: the unified mount beside them is the v2 root.
  const root = layout.mode === "hybrid" && layout.unifiedRoot ? layout.unifiedRoot : options.root;
  return new CgroupV2(root, options.parent, options.devices ?? bpfDeviceGuard(lazyBpf));
}
