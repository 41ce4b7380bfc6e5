/** cgroup v1: one directory per controller, `<root>/<controller>/<parent>/<id>`. */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  childDirs, killAll, readKeyed, readNumber, readPids, readValue, removeCgroupDir, tryRemove, waitEmpty, waitUntil, writeAllOrRestore, writeValue,
} from "./cgroup-fs.js";
import { V1_CONTROLLERS, distinctMounts, type V1Controller } from "./detect.js";
import { DEFAULT_DEVICE_RULES, type CgroupLimits, type CgroupLimitsUpdate, type CgroupManager, type CgroupStats } from "./types.js";
import { planV1Writes, readV1Limits } from "./v1-limits.js";

/** memory.limit_in_bytes reads back this or more (page-rounded LONG_MAX) when unlimited. */
const UNLIMITED = 2 ** 62;

export class CgroupV1 implements CgroupManager {
  readonly version = 1 as const;
  /** Controllers to create a directory in (co-mounted ones once). */
  private readonly mounts: V1Controller[];

  constructor(
    private readonly root: string,
    private readonly parent: string,
    controllers: readonly V1Controller[] = V1_CONTROLLERS.filter((c) => existsSync(join(root, c, "cgroup.procs"))),
  ) {
    this.mounts = distinctMounts(root, controllers);
  }

  private dir(controller: V1Controller, id?: string): string {
    return id === undefined ? join(this.root, controller, this.parent) : join(this.root, controller, this.parent, id);
  }

  private dirsOf(id: string) {
    return (controller: V1Controller) => this.dir(controller, id);
  }

  private readonly parentDirs = (controller: V1Controller) => this.dir(controller);

  private has(controller: V1Controller): boolean {
    return this.mounts.includes(controller) || existsSync(join(this.root, controller, "cgroup.procs"));
  }

  async create(id: string, limits: CgroupLimits): Promise<void> {
    const fresh = !existsSync(this.dir(this.mounts[0] ?? "memory", id));
    for (const controller of this.mounts) {
      mkdirSync(this.dir(controller, id), { recursive: true });
      // A new cpuset cgroup starts with no CPUs and no memory nodes: inherit them, or no task may join.
      if (controller === "cpuset") this.inheritCpuset(id);
    }
    if (fresh && this.has("devices")) this.writeDeviceRules(id, limits.deviceRules ?? DEFAULT_DEVICE_RULES);
    writeAllOrRestore(planV1Writes(this.dirsOf(id), this.parentDirs, limits));
  }

  private inheritCpuset(id: string): void {
    const levels = [join(this.root, "cpuset"), ...this.parent.split("/").map((_, i, parts) => join(this.root, "cpuset", ...parts.slice(0, i + 1))), this.dir("cpuset", id)];
    for (let i = 1; i < levels.length; i++) {
      for (const file of ["cpuset.cpus", "cpuset.mems"]) {
        if (!readValue(join(levels[i], file))) writeValue(join(levels[i], file), readValue(join(levels[i - 1], file)) ?? "");
      }
    }
  }

  /** Deny everything, then allow the list: a new cgroup inherits "a *:* rwm", and the order matters. */
  private writeDeviceRules(id: string, rules: string[]): void {
    if (rules.includes("a")) return;
    const dir = this.dir("devices", id);
    writeValue(join(dir, "devices.deny"), "a");
    for (const rule of rules) writeValue(join(dir, "devices.allow"), rule);
  }

  procsFiles(id: string): string[] {
    return this.mounts.map((c) => join(this.dir(c, id), "cgroup.procs"));
  }

  async update(id: string, limits: CgroupLimitsUpdate): Promise<void> {
    writeAllOrRestore(planV1Writes(this.dirsOf(id), this.parentDirs, limits));
  }

  async read(id: string): Promise<CgroupLimits> {
    return readV1Limits(this.dirsOf(id), this.parentDirs);
  }

  async stats(id: string): Promise<CgroupStats> {
    const memoryDir = this.dir("memory", id);
    const limit = readNumber(join(memoryDir, "memory.limit_in_bytes"));
    return {
      memoryUsage: readNumber(join(memoryDir, "memory.usage_in_bytes")) ?? 0,
      memoryLimit: limit !== null && limit < UNLIMITED ? limit : null,
      // With memory + swap limited, hitting the limit counts in memsw.failcnt instead.
      memoryFailcnt: Math.max(readNumber(join(memoryDir, "memory.failcnt")) ?? 0, readNumber(join(memoryDir, "memory.memsw.failcnt")) ?? 0),
      oomKills: readKeyed(join(memoryDir, "memory.oom_control")).oom_kill ?? 0,
      cpuUsageNs: readNumber(join(this.dir("cpuacct", id), "cpuacct.usage")) ?? 0,
      pidsCurrent: readNumber(join(this.dir("pids", id), "pids.current")) ?? 0,
    };
  }

  async pids(id: string): Promise<number[]> {
    const union = new Set<number>();
    for (const file of this.procsFiles(id)) readPids(file).forEach((p) => union.add(p));
    return [...union].sort((a, b) => a - b);
  }

  /** Freeze, SIGKILL, thaw: a frozen task cannot fork past the kill, and dies as soon as it is thawed. */
  async kill(id: string): Promise<void> {
    const procs = this.procsFiles(id).filter((f) => existsSync(f));
    const freezable = this.has("freezer") && existsSync(this.dir("freezer", id));
    if (freezable) await this.freeze(id);
    try {
      for (const file of procs) killAll(file);
    } finally {
      if (freezable) await this.thaw(id);
    }
  }

  async freeze(id: string): Promise<void> {
    const file = join(this.dir("freezer", id), "freezer.state");
    writeValue(file, "FROZEN");
    // The kernel answers FREEZING until every task has stopped: a pause is done only once it says FROZEN.
    await waitUntil(() => readValue(file) === "FROZEN");
  }

  async thaw(id: string): Promise<void> {
    writeValue(join(this.dir("freezer", id), "freezer.state"), "THAWED");
  }

  async frozen(id: string): Promise<boolean> {
    const state = readValue(join(this.dir("freezer", id), "freezer.state"));
    return state === "FROZEN" || state === "FREEZING";
  }

  async destroy(id: string): Promise<void> {
    for (const controller of this.mounts) {
      const dir = this.dir(controller, id);
      if (!existsSync(dir)) continue;
      await waitEmpty(join(dir, "cgroup.procs"));
      await removeCgroupDir(dir);
    }
  }

  async list(): Promise<string[]> {
    const ids = new Set<string>();
    for (const controller of this.mounts) childDirs(this.dir(controller)).forEach((d) => ids.add(d));
    return [...ids].sort();
  }

  async removeParent(): Promise<void> {
    for (const controller of this.mounts) {
      if (existsSync(this.dir(controller)) && childDirs(this.dir(controller)).length === 0) await tryRemove(this.dir(controller));
    }
  }
}
