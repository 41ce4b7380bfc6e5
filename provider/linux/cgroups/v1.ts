/** cgroup v1: one directory per controller, `<root>/<controller>/<parent>/<id>`. */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  childDirs, killAll, tryRemove, writeAllOrRestore, readKeyed, readNumber, readPids, readValue, removeCgroupDir, waitEmpty, writeValue,
} from "./cgroup-fs.js";
import { CPU_PERIOD_US, DEFAULT_DEVICE_RULES, cpusToQuota, type CgroupLimits, type CgroupManager, type CgroupStats } from "./types.js";

const CONTROLLERS = ["memory", "cpu", "cpuacct", "pids", "freezer", "cpuset", "blkio", "devices"] as const;
type Controller = (typeof CONTROLLERS)[number];
/** memory.limit_in_bytes reads back this (page-rounded LONG_MAX) when unlimited. */
const UNLIMITED = 2 ** 62;

/** One file write of a limit; `unset` is what restores "no limit". */
interface LimitWrite { controller: Controller; file: string; value: string | number }

export class CgroupV1 implements CgroupManager {
  readonly version = 1 as const;
  private readonly controllers: Controller[];

  constructor(private readonly root: string, private readonly parent: string) {
    this.controllers = CONTROLLERS.filter((c) => existsSync(join(root, c, "cgroup.procs")));
  }

  private dir(controller: Controller, id?: string): string {
    return id === undefined ? join(this.root, controller, this.parent) : join(this.root, controller, this.parent, id);
  }

  private has(controller: Controller): boolean {
    return this.controllers.includes(controller);
  }

  async create(id: string, limits: CgroupLimits): Promise<void> {
    for (const controller of this.controllers) {
      const parentDir = this.dir(controller);
      mkdirSync(this.dir(controller, id), { recursive: true });
      // A new cpuset cgroup starts with no CPUs and no memory nodes: inherit them, or no task may join.
      if (controller === "cpuset") {
        for (const file of ["cpuset.cpus", "cpuset.mems"]) {
          if (!readValue(join(parentDir, file))) writeValue(join(parentDir, file), readValue(join(this.root, controller, file)) ?? "");
          if (!readValue(join(this.dir(controller, id), file))) writeValue(join(this.dir(controller, id), file), readValue(join(parentDir, file)) ?? "");
        }
      }
    }
    if (this.has("devices")) {
      // Deny everything, then allow the list: the order matters, and a new cgroup inherits "a *:* rwm".
      const dir = this.dir("devices", id);
      const rules = limits.deviceRules ?? DEFAULT_DEVICE_RULES;
      if (!rules.includes("a")) {
        writeValue(join(dir, "devices.deny"), "a");
        for (const rule of rules) writeValue(join(dir, "devices.allow"), rule);
      }
    }
    this.apply(id, this.writesFor(limits));
  }

  procsFiles(id: string): string[] {
    return this.controllers.map((c) => join(this.dir(c, id), "cgroup.procs"));
  }

  /** The files a full set of limits writes; absent limits restore "unlimited". */
  private writesFor(limits: CgroupLimits): LimitWrite[] {
    const writes: LimitWrite[] = [];
    const add = (controller: Controller, file: string, value: string | number) => {
      if (this.has(controller)) writes.push({ controller, file, value });
    };
    add("memory", "memory.limit_in_bytes", limits.memory ?? -1);
    add("memory", "memory.soft_limit_in_bytes", limits.memoryReservation ?? -1);
    if (limits.memorySwap !== undefined) add("memory", "memory.memsw.limit_in_bytes", limits.memorySwap);
    add("cpu", "cpu.cfs_period_us", CPU_PERIOD_US);
    add("cpu", "cpu.cfs_quota_us", limits.cpus !== undefined ? cpusToQuota(limits.cpus) : -1);
    add("cpu", "cpu.shares", limits.cpuShares ?? 1024);
    if (limits.cpusetCpus !== undefined) add("cpuset", "cpuset.cpus", limits.cpusetCpus);
    if (limits.cpusetMems !== undefined) add("cpuset", "cpuset.mems", limits.cpusetMems);
    add("pids", "pids.max", limits.pids ?? "max");
    if (limits.blkioWeight !== undefined) add("blkio", "blkio.weight", limits.blkioWeight);
    for (const t of limits.blkioThrottle ?? []) {
      if (t.readBps !== undefined) add("blkio", "blkio.throttle.read_bps_device", `${t.device} ${t.readBps}`);
      if (t.writeBps !== undefined) add("blkio", "blkio.throttle.write_bps_device", `${t.device} ${t.writeBps}`);
      if (t.readIops !== undefined) add("blkio", "blkio.throttle.read_iops_device", `${t.device} ${t.readIops}`);
      if (t.writeIops !== undefined) add("blkio", "blkio.throttle.write_iops_device", `${t.device} ${t.writeIops}`);
    }
    return writes;
  }

  private apply(id: string, writes: LimitWrite[]): void {
    writeAllOrRestore(writes.map((w) => ({ path: join(this.dir(w.controller, id), w.file), value: w.value })));
  }

  async update(id: string, limits: CgroupLimits): Promise<void> {
    this.apply(id, this.writesFor(limits));
  }

  async read(id: string): Promise<CgroupLimits> {
    const out: CgroupLimits = {};
    const memory = readNumber(join(this.dir("memory", id), "memory.limit_in_bytes"));
    if (memory !== null && memory < UNLIMITED) out.memory = memory;
    const quota = readNumber(join(this.dir("cpu", id), "cpu.cfs_quota_us"));
    const period = readNumber(join(this.dir("cpu", id), "cpu.cfs_period_us")) ?? CPU_PERIOD_US;
    if (quota !== null && quota > 0) out.cpus = Math.round((quota / period) * 1000) / 1000;
    const shares = readNumber(join(this.dir("cpu", id), "cpu.shares"));
    if (shares !== null) out.cpuShares = shares;
    const pids = readNumber(join(this.dir("pids", id), "pids.max"));
    if (pids !== null) out.pids = pids;
    if (this.has("cpuset")) {
      out.cpusetCpus = readValue(join(this.dir("cpuset", id), "cpuset.cpus")) ?? undefined;
      out.cpusetMems = readValue(join(this.dir("cpuset", id), "cpuset.mems")) ?? undefined;
    }
    return out;
  }

  async stats(id: string): Promise<CgroupStats> {
    const memoryDir = this.dir("memory", id);
    const limit = readNumber(join(memoryDir, "memory.limit_in_bytes"));
    return {
      memoryUsage: readNumber(join(memoryDir, "memory.usage_in_bytes")) ?? 0,
      memoryLimit: limit !== null && limit < UNLIMITED ? limit : null,
      memoryFailcnt: readNumber(join(memoryDir, "memory.failcnt")) ?? 0,
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

  async kill(id: string): Promise<void> {
    // Thaw first: a frozen task cannot die.
    if (this.has("freezer") && existsSync(this.dir("freezer", id))) await this.thaw(id);
    for (const file of this.procsFiles(id)) if (existsSync(file)) killAll(file);
  }

  async freeze(id: string): Promise<void> {
    const file = join(this.dir("freezer", id), "freezer.state");
    writeValue(file, "FROZEN");
    // The kernel answers FREEZING until every task has stopped: a pause is done only once it says FROZEN.
    for (let i = 0; i < 200 && readValue(file) !== "FROZEN"; i++) await new Promise((r) => setTimeout(r, 5));
  }

  async frozen(id: string): Promise<boolean> {
    const state = readValue(join(this.dir("freezer", id), "freezer.state"));
    return state === "FROZEN" || state === "FREEZING";
  }

  async thaw(id: string): Promise<void> {
    writeValue(join(this.dir("freezer", id), "freezer.state"), "THAWED");
  }

  async destroy(id: string): Promise<void> {
    for (const controller of this.controllers) {
      const dir = this.dir(controller, id);
      if (!existsSync(dir)) continue;
      await waitEmpty(join(dir, "cgroup.procs"));
      await removeCgroupDir(dir);
    }
  }

  async list(): Promise<string[]> {
    const ids = new Set<string>();
    for (const controller of this.controllers) childDirs(this.dir(controller)).forEach((d) => ids.add(d));
    return [...ids].sort();
  }

  /** Remove cinfra's parent dirs when no container cgroup remains (tests and full teardown). */
  async removeParent(): Promise<void> {
    for (const controller of this.controllers) {
      if (existsSync(this.dir(controller)) && childDirs(this.dir(controller)).length === 0) await tryRemove(this.dir(controller));
    }
  }
}
