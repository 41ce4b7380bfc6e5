/**
 * Plan-time check of declared limits against this host's cgroup layout: a limit whose controller is
 * not there (or, on v2, has no equivalent) is reported now, naming the limit, instead of failing a write
 * halfway through apply.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chooseVersion, detectCgroupLayout } from "./detect.js";

/** Container `limits` keys -> the v1 controller they write, and the v2 one (null: none exists). */
const CONTROLLERS: Record<string, { v1: string; v2: string | null }> = {
  memory: { v1: "memory", v2: "memory" }, memoryReservation: { v1: "memory", v2: "memory" }, memorySwap: { v1: "memory", v2: "memory" },
  cpus: { v1: "cpu", v2: "cpu" }, cpuShares: { v1: "cpu", v2: "cpu" }, cpuset: { v1: "cpuset", v2: "cpuset" }, pids: { v1: "pids", v2: "pids" },
  blkio: { v1: "blkio", v2: "io" }, netClassId: { v1: "net_cls", v2: null }, netPriorities: { v1: "net_prio", v2: null },
  hugepages: { v1: "hugetlb", v2: "hugetlb" },
};

export interface UnsupportedLimit {
  /** Under `limits`: "netClassId", "hugepages.1GB". */
  path: string;
  reason: string;
}

export interface HostCgroups {
  root: string;
  /** Where the kernel lists its huge page sizes (hugepages-<kB>kB dirs). */
  hugepagesDir?: string;
  /** The host's network interfaces (net_prio names them). */
  netDir?: string;
}

/** "2MB" -> "hugepages-2048kB", the kernel's directory name for that page size. */
function hugepageDir(size: string): string {
  const m = /^(\d+)(KB|MB|GB)$/.exec(size);
  const kb = m ? Number(m[1]) * { KB: 1, MB: 1024, GB: 1024 * 1024 }[m[2] as "KB" | "MB" | "GB"] : 0;
  return `hugepages-${kb}kB`;
}

export function unsupportedLimits(host: HostCgroups, limits: Record<string, unknown>): UnsupportedLimit[] {
  const layout = detectCgroupLayout(host.root);
  const version = chooseVersion(layout);
  const out: UnsupportedLimit[] = [];
  for (const key of Object.keys(limits)) {
    const controller = CONTROLLERS[key];
    if (!controller) continue;
    if (version === 1 && !existsSync(join(host.root, controller.v1, "cgroup.procs"))) {
      const unifiedOnly = layout.v2.includes(controller.v1) ? " (only the unified hierarchy offers it, and cinfra's v1 manager does not use that one)" : "";
      out.push({ path: key, reason: `the ${controller.v1} cgroup controller is not mounted on this host (no ${join(host.root, controller.v1)})${unifiedOnly}` });
    } else if (version === 2 && controller.v2 === null) {
      out.push({ path: key, reason: `${controller.v1} has no cgroup v2 equivalent: not supported on this host (cgroup v2)` });
    } else if (version === 2 && !layout.v2.includes(controller.v2!)) {
      out.push({ path: key, reason: `the ${controller.v2} controller is not available in this host's cgroup v2 hierarchy` });
    }
  }
  const hugepages = limits.hugepages;
  if (hugepages && typeof hugepages === "object" && !out.some((u) => u.path === "hugepages")) {
    const dir = host.hugepagesDir ?? "/sys/kernel/mm/hugepages";
    for (const size of Object.keys(hugepages)) {
      if (!existsSync(join(dir, hugepageDir(size)))) out.push({ path: `hugepages.${size}`, reason: `this kernel has no ${size} huge pages (no ${join(dir, hugepageDir(size))})` });
    }
  }
  const priorities = limits.netPriorities;
  if (priorities && typeof priorities === "object" && !out.some((u) => u.path === "netPriorities")) {
    const dir = host.netDir ?? "/sys/class/net";
    for (const name of Object.keys(priorities)) {
      if (!existsSync(join(dir, name))) out.push({ path: `netPriorities.${name}`, reason: `this host has no network interface ${name} (net_prio names the host's interfaces)` });
    }
  }
  return out;
}
