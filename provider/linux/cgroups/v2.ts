/** cgroup v2: one tree, `<root>/<parent>/<id>`, controllers enabled through each ancestor's subtree_control. */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  childDirs, killAll, readKeyed, readNumber, readPids, readValue, removeCgroupDir, tryRemove, waitEmpty, waitUntil, writeAllOrRestore, writeValue,
} from "./cgroup-fs.js";
import { DEFAULT_DEVICE_RULES, type CgroupLimits, type CgroupLimitsUpdate, type CgroupManager, type CgroupStats } from "./types.js";
import type { DeviceGuard } from "./v2-devices.js";
import { planV2Writes, readV2Limits } from "./v2-limits.js";

const WANTED = ["cpuset", "cpu", "io", "memory", "pids", "hugetlb"];
const words = (text: string | null) => (text ?? "").split(/\s+/).filter(Boolean);

export class CgroupV2 implements CgroupManager {
  readonly version = 2 as const;

  /** `devices` enforces the device allow-list (a BPF program on the real kernel; a recorder in temp-dir tests). */
  constructor(private readonly root: string, private readonly parent: string, private readonly devices: DeviceGuard) {}

  private dir(id?: string): string {
    return id === undefined ? join(this.root, this.parent) : join(this.root, this.parent, id);
  }

  private file(id: string, name: string): string {
    return join(this.dir(id), name);
  }

  /**
   * Make the parent chain and enable the wanted controllers each level offers for its children
   * (no process lives in cinfra's parent, so the no-internal-process rule holds).
   */
  private prepareParent(): void {
    let level = this.root;
    for (const part of this.parent.split("/").filter(Boolean)) {
      this.enableControllers(level);
      level = join(level, part);
      mkdirSync(level, { recursive: true });
    }
    this.enableControllers(level);
  }

  private enableControllers(dir: string): void {
    const offered = words(readValue(join(dir, "cgroup.controllers")));
    const enabled = words(readValue(join(dir, "cgroup.subtree_control")));
    const missing = WANTED.filter((c) => offered.includes(c) && !enabled.includes(c));
    if (missing.length) writeValue(join(dir, "cgroup.subtree_control"), missing.map((c) => `+${c}`).join(" "));
  }

  async create(id: string, limits: CgroupLimits): Promise<void> {
    this.prepareParent();
    const fresh = !existsSync(this.dir(id));
    mkdirSync(this.dir(id), { recursive: true });
    try {
      writeAllOrRestore(planV2Writes(this.dir(id), limits));
      // Before any process joins: the container's first exec already runs under the allow-list.
      this.devices.apply(this.dir(id), limits.deviceRules ?? DEFAULT_DEVICE_RULES);
    } catch (error) {
      if (fresh) await tryRemove(this.dir(id)); // a refused create leaves nothing behind
      throw error;
    }
  }

  /** Drift check of the create-time device policy: is exactly the program these rules compile to attached? */
  async holdsDeviceRules(id: string, rules: string[] = DEFAULT_DEVICE_RULES): Promise<boolean> {
    return this.devices.holds(this.dir(id), rules);
  }

  procsFiles(id: string): string[] {
    return [this.file(id, "cgroup.procs")];
  }

  async update(id: string, limits: CgroupLimitsUpdate): Promise<void> {
    writeAllOrRestore(planV2Writes(this.dir(id), limits));
  }

  async read(id: string): Promise<CgroupLimits> {
    return readV2Limits(this.dir(id));
  }

  async stats(id: string): Promise<CgroupStats> {
    const events = readKeyed(this.file(id, "memory.events"));
    return {
      memoryUsage: readNumber(this.file(id, "memory.current")) ?? 0,
      memoryLimit: readNumber(this.file(id, "memory.max")),
      memoryFailcnt: events.max ?? 0,
      oomKills: events.oom_kill ?? 0,
      cpuUsageNs: (readKeyed(this.file(id, "cpu.stat")).usage_usec ?? 0) * 1000,
      pidsCurrent: readNumber(this.file(id, "pids.current")) ?? 0,
    };
  }

  async pids(id: string): Promise<number[]> {
    return readPids(this.file(id, "cgroup.procs"));
  }

  /** cgroup.kill (5.14+) kills the whole subtree atomically; before it, signal each listed pid. */
  async kill(id: string): Promise<void> {
    if (!existsSync(this.dir(id))) return;
    if (existsSync(this.file(id, "cgroup.kill"))) writeValue(this.file(id, "cgroup.kill"), 1);
    else killAll(this.file(id, "cgroup.procs"));
  }

  async freeze(id: string): Promise<void> {
    writeValue(this.file(id, "cgroup.freeze"), 1);
    // cgroup.events says "frozen 1" once every task has stopped (at once when nothing runs in it).
    await waitUntil(() => {
      const events = readKeyed(this.file(id, "cgroup.events"));
      return events.frozen === 1 || events.populated === 0;
    });
  }

  async thaw(id: string): Promise<void> {
    writeValue(this.file(id, "cgroup.freeze"), 0);
  }

  async frozen(id: string): Promise<boolean> {
    return readValue(this.file(id, "cgroup.freeze")) === "1";
  }

  async destroy(id: string): Promise<void> {
    if (!existsSync(this.dir(id))) return;
    await waitEmpty(this.file(id, "cgroup.procs"));
    this.devices.remove(this.dir(id)); // freed now, not whenever the kernel releases the dead cgroup
    await removeCgroupDir(this.dir(id));
  }

  async list(): Promise<string[]> {
    return childDirs(this.dir()).sort();
  }

  async removeParent(): Promise<void> {
    if (existsSync(this.dir()) && childDirs(this.dir()).length === 0) await tryRemove(this.dir());
  }
}
