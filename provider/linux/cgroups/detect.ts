/**
 * Which cgroup version serves each controller, from the root's layout (so a temp dir works too):
 * - v2: the root itself is a unified hierarchy (it has cgroup.controllers);
 * - v1: the root holds one mount per controller (`<root>/memory/cgroup.procs`, co-mounts as symlinks);
 * - hybrid: v1 controller mounts plus a unified hierarchy at `<root>/unified` (systemd's hybrid mode).
 *   Controllers mounted as v1 are used there; the unified part usually has none (this host's does not).
 */
import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { readValue } from "./cgroup-fs.js";

export const V1_CONTROLLERS = [
  "memory", "cpu", "cpuacct", "cpuset", "pids", "freezer", "blkio", "devices", "net_cls", "net_prio", "hugetlb",
] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

export interface CgroupLayout {
  mode: "v1" | "v2" | "hybrid";
  /** Controllers with a v1 hierarchy under the root. */
  v1: V1Controller[];
  /** Controllers the unified hierarchy offers and v1 does not already hold. */
  v2: string[];
  /** The unified hierarchy's directory, when there is one. */
  unifiedRoot: string | null;
}

const words = (text: string | null) => (text ?? "").split(/\s+/).filter(Boolean);

export function detectCgroupLayout(root: string): CgroupLayout {
  if (existsSync(join(root, "cgroup.controllers"))) {
    return { mode: "v2", v1: [], v2: words(readValue(join(root, "cgroup.controllers"))), unifiedRoot: root };
  }
  const v1 = V1_CONTROLLERS.filter((c) => existsSync(join(root, c, "cgroup.procs")));
  const unified = join(root, "unified");
  if (!existsSync(join(unified, "cgroup.controllers"))) return { mode: "v1", v1, v2: [], unifiedRoot: null };
  const v2 = words(readValue(join(unified, "cgroup.controllers"))).filter((c) => !(v1 as string[]).includes(c));
  return { mode: "hybrid", v1, v2, unifiedRoot: unified };
}

/** The manager to use: v2 on a unified root, else v1 while any v1 controller is mounted. */
export function chooseVersion(layout: CgroupLayout): 1 | 2 {
  if (layout.mode === "v2") return 2;
  return layout.v1.length > 0 || layout.unifiedRoot === null ? 1 : 2;
}

/** Controllers whose mounts are distinct directories (cpu and cpuacct are often one co-mount). */
export function distinctMounts(root: string, controllers: readonly V1Controller[]): V1Controller[] {
  const seen = new Set<string>();
  return controllers.filter((c) => {
    let real: string;
    try {
      real = realpathSync(join(root, c));
    } catch {
      return false;
    }
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}
