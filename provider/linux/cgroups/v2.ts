/** cgroup v2: one tree, `<root>/<parent>/<id>`, controllers enabled through the parent's subtree_control. */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  childDirs, killAll, tryRemove, writeAllOrRestore, readKeyed, readNumber, readPids, readValue, removeCgroupDir, waitEmpty, writeValue,
} from "./cgroup-fs.js";
import {
  CPU_PERIOD_US, cpusToQuota, sharesToWeight, type CgroupLimits, type CgroupManager, type CgroupStats,
} from "./types.js";

const WANTED = ["cpuset", "cpu", "io", "memory", "pids"];

export class CgroupV2 implements CgroupManager {
  readonly version = 2 as const;

  constructor(private readonly root: string, private readonly parent: string) {}

  private dir(id?: string): string {
    return id === undefined ? join(this.root, this.parent) : join(this.root, this.parent, id);
  }

  private file(id: string, name: string): string {
    return join(this.dir(id), name);
  }

  /** Enable the controllers the root offers for the parent's children (the parent holds no process). */
  private prepareParent(): void {
    mkdirSync(this.dir(), { recursive: true });
    const offered = (readValue(join(this.root, "cgroup.controllers")) ?? "").split(/\s+/);
    const enable = WANTED.filter((c) => offered.includes(c));
    const rootSubtree = (readValue(join(this.root, "cgroup.subtree_control")) ?? "").split(/\s+/);
    const missingAtRoot = enable.filter((c) => !rootSubtree.includes(c));
    if (missingAtRoot.length) writeValue(join(this.root, "cgroup.subtree_control"), missingAtRoot.map((c) => `+${c}`).join(" "));
    const current = (readValue(join(this.dir(), "cgroup.subtree_control")) ?? "").split(/\s+/);
    const missing = enable.filter((c) => !current.includes(c));
    if (missing.length) writeValue(join(this.dir(), "cgroup.subtree_control"), missing.map((c) => `+${c}`).join(" "));
  }

  async create(id: string, limits: CgroupLimits): Promise<void> {
    this.prepareParent();
    mkdirSync(this.dir(id), { recursive: true });
    this.apply(id, limits);
  }

  procsFiles(id: string): string[] {
    return [this.file(id, "cgroup.procs")];
  }

  private writesFor(limits: CgroupLimits): [string, string | number][] {
    const writes: [string, string | number][] = [
      ["memory.max", limits.memory ?? "max"],
      ["memory.low", limits.memoryReservation ?? 0],
      ["cpu.max", `${limits.cpus !== undefined ? cpusToQuota(limits.cpus) : "max"} ${CPU_PERIOD_US}`],
      ["cpu.weight", limits.cpuShares !== undefined ? sharesToWeight(limits.cpuShares) : 100],
      ["pids.max", limits.pids ?? "max"],
    ];
    if (limits.memorySwap !== undefined) {
      const swap = limits.memorySwap < 0 ? "max" : Math.max(0, limits.memorySwap - (limits.memory ?? 0));
      writes.push(["memory.swap.max", swap]);
    }
    if (limits.cpusetCpus !== undefined) writes.push(["cpuset.cpus", limits.cpusetCpus]);
    if (limits.cpusetMems !== undefined) writes.push(["cpuset.mems", limits.cpusetMems]);
    if (limits.blkioWeight !== undefined) writes.push(["io.weight", `default ${limits.blkioWeight}`]);
    for (const t of limits.blkioThrottle ?? []) {
      const parts = [
        t.readBps !== undefined && `rbps=${t.readBps}`, t.writeBps !== undefined && `wbps=${t.writeBps}`,
        t.readIops !== undefined && `riops=${t.readIops}`, t.writeIops !== undefined && `wiops=${t.writeIops}`,
      ].filter(Boolean);
      writes.push(["io.max", `${t.device} ${parts.join(" ")}`]);
    }
    return writes;
  }

  private apply(id: string, limits: CgroupLimits): void {
    writeAllOrRestore(this.writesFor(limits).map(([name, value]) => ({ path: this.file(id, name), value })));
  }

  async update(id: string, limits: CgroupLimits): Promise<void> {
    this.apply(id, limits);
  }

  async read(id: string): Promise<CgroupLimits> {
    const out: CgroupLimits = {};
    const memory = readNumber(this.file(id, "memory.max"));
    if (memory !== null) out.memory = memory;
    const [quota, period] = (readValue(this.file(id, "cpu.max")) ?? "max").split(" ");
    if (quota !== "max") out.cpus = Math.round((Number(quota) / Number(period || CPU_PERIOD_US)) * 1000) / 1000;
    const pids = readNumber(this.file(id, "pids.max"));
    if (pids !== null) out.pids = pids;
    const cpus = readValue(this.file(id, "cpuset.cpus"));
    if (cpus) out.cpusetCpus = cpus;
    const mems = readValue(this.file(id, "cpuset.mems"));
    if (mems) out.cpusetMems = mems;
    return out;
  }

  async stats(id: string): Promise<CgroupStats> {
    return {
      memoryUsage: readNumber(this.file(id, "memory.current")) ?? 0,
      memoryLimit: readNumber(this.file(id, "memory.max")),
      memoryFailcnt: readKeyed(this.file(id, "memory.events")).max ?? 0,
      oomKills: readKeyed(this.file(id, "memory.events")).oom_kill ?? 0,
      cpuUsageNs: (readKeyed(this.file(id, "cpu.stat")).usage_usec ?? 0) * 1000,
      pidsCurrent: readNumber(this.file(id, "pids.current")) ?? 0,
    };
  }

  async pids(id: string): Promise<number[]> {
    return readPids(this.file(id, "cgroup.procs"));
  }

  async kill(id: string): Promise<void> {
    if (!existsSync(this.dir(id))) return;
    if (existsSync(this.file(id, "cgroup.kill"))) writeValue(this.file(id, "cgroup.kill"), 1);
    else killAll(this.file(id, "cgroup.procs"));
  }

  async freeze(id: string): Promise<void> {
    writeValue(this.file(id, "cgroup.freeze"), 1);
    // cgroup.events says "frozen 1" once every task has stopped.
    for (let i = 0; i < 200 && readKeyed(this.file(id, "cgroup.events")).frozen !== 1; i++) await new Promise((r) => setTimeout(r, 5));
  }

  async frozen(id: string): Promise<boolean> {
    return readValue(this.file(id, "cgroup.freeze")) === "1";
  }

  async thaw(id: string): Promise<void> {
    writeValue(this.file(id, "cgroup.freeze"), 0);
  }

  async destroy(id: string): Promise<void> {
    if (!existsSync(this.dir(id))) return;
    await waitEmpty(this.file(id, "cgroup.procs"));
    await removeCgroupDir(this.dir(id));
  }

  async list(): Promise<string[]> {
    return childDirs(this.dir()).sort();
  }

  async removeParent(): Promise<void> {
    if (existsSync(this.dir()) && childDirs(this.dir()).length === 0) await tryRemove(this.dir());
  }
}
