/**
 * Both cgroup managers through the shared suite, against cgroupfs-shaped temp directories holding the
 * files the kernel would provide (writes never create files, so a missing one fails as on a real kernel).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CgroupV2, createCgroupManager, detectCgroupLayout, type DeviceGuard } from "../../provider/linux/cgroups/index.js";
import { DEFAULT_DEVICE_RULES } from "../../provider/linux/cgroups/types.js";
import { cgroupManagerSuite } from "../conformance/cgroup-manager-suite.js";

const UNLIMITED = "9223372036854771712";
const roots: string[] = [];
afterAll(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

function tempRoot(tag: string): string {
  const root = mkdtempSync(join(tmpdir(), `cinfra-${tag}-`));
  roots.push(root);
  return root;
}

function populate(dir: string, files: Record<string, string>): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

/** What mkdir of a v1 cgroup shows, per controller (the files the managers touch). */
const V1_FILES: Record<string, Record<string, string>> = {
  memory: {
    "memory.limit_in_bytes": UNLIMITED, "memory.soft_limit_in_bytes": UNLIMITED, "memory.memsw.limit_in_bytes": UNLIMITED,
    "memory.usage_in_bytes": "0", "memory.failcnt": "0", "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
  },
  cpu: { "cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1", "cpu.shares": "1024" },
  cpuacct: { "cpuacct.usage": "0" },
  cpuset: { "cpuset.cpus": "", "cpuset.mems": "" },
  pids: { "pids.max": "max", "pids.current": "0" },
  freezer: { "freezer.state": "THAWED" },
  // No blkio.weight: like this host (no CFQ/BFQ weight), so blkioWeight must be refused.
  blkio: Object.fromEntries(["read_bps", "write_bps", "read_iops", "write_iops"].map((f) => [`blkio.throttle.${f}_device`, ""])),
  devices: { "devices.allow": "", "devices.deny": "", "devices.list": "a *:* rwm" },
  net_cls: { "net_cls.classid": "0" },
  net_prio: { "net_prio.ifpriomap": "lo 0" }, // one interface: a fake file holds only the last line written
  hugetlb: { "hugetlb.2MB.limit_in_bytes": UNLIMITED, "hugetlb.1GB.limit_in_bytes": UNLIMITED, "hugetlb.2MB.usage_in_bytes": "0" },
};

function fakeV1(parent: string, comount = false): { root: string; prepare: (id: string) => void } {
  const root = tempRoot("cg1");
  for (const c of Object.keys(V1_FILES)) {
    if (comount && (c === "cpu" || c === "cpuacct")) continue;
    populate(join(root, c), { "cgroup.procs": "", ...V1_FILES[c] });
  }
  writeFileSync(join(root, "cpuset/cpuset.cpus"), "0-1");
  writeFileSync(join(root, "cpuset/cpuset.mems"), "0");
  if (comount) {
    populate(join(root, "cpu,cpuacct"), { "cgroup.procs": "", ...V1_FILES.cpu, ...V1_FILES.cpuacct });
    symlinkSync("cpu,cpuacct", join(root, "cpu"));
    symlinkSync("cpu,cpuacct", join(root, "cpuacct"));
  }
  const prepare = (id: string) => {
    for (const c of Object.keys(V1_FILES)) {
      const files = { "cgroup.procs": "", ...V1_FILES[c], ...(comount && c.startsWith("cpu") && c !== "cpuset" ? { ...V1_FILES.cpu, ...V1_FILES.cpuacct } : {}) };
      populate(join(root, c, parent), files);
      populate(join(root, c, parent, id), files);
    }
  };
  return { root, prepare };
}

const V2_CHILD: Record<string, string> = {
  "cgroup.procs": "", "cgroup.controllers": "cpuset cpu io memory pids hugetlb", "cgroup.subtree_control": "", "cgroup.freeze": "0",
  "cgroup.events": "populated 0\nfrozen 0\n", "cgroup.kill": "", "memory.max": "max", "memory.low": "0", "memory.swap.max": "max",
  "memory.current": "0", "memory.reclaim": "", "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n", "cpu.max": "max 100000",
  "cpu.weight": "100", "cpu.stat": "usage_usec 0\n", "cpuset.cpus": "", "cpuset.mems": "", "pids.max": "max", "pids.current": "0", "io.max": "",
  "hugetlb.2MB.max": "max", "hugetlb.2MB.rsvd.max": "max", "hugetlb.1GB.max": "max",
  // No io.weight / io.bfq.weight: a kernel without iocost or BFQ, so blkioWeight must be refused.
};

function fakeV2(parent: string): { root: string; prepare: (id: string) => void } {
  const root = tempRoot("cg2");
  writeFileSync(join(root, "cgroup.controllers"), "cpuset cpu io memory pids hugetlb");
  writeFileSync(join(root, "cgroup.subtree_control"), "");
  const prepare = (id: string) => {
    populate(join(root, parent), V2_CHILD);
    populate(join(root, parent, id), V2_CHILD);
  };
  return { root, prepare };
}

/** A temp dir takes no BPF program: this stands in for the kernel's attach list (tests/vm checks the real one). */
function recordingGuard(): DeviceGuard & { rules: Map<string, string[]>; removed: string[] } {
  const rules = new Map<string, string[]>();
  const removed: string[] = [];
  return {
    rules, removed,
    apply: (dir, r) => void (r.includes("a") ? rules.delete(dir) : rules.set(dir, r)),
    attached: () => [],
    holds: (dir, r) => JSON.stringify(rules.get(dir)) === JSON.stringify(r.includes("a") ? undefined : r),
    remove: (dir) => void (rules.delete(dir), removed.push(dir)),
  };
}

const parent = "cinfra";
for (const [version, fake] of [[1, fakeV1], [2, fakeV2]] as const) {
  const { root, prepare } = fake(parent);
  cgroupManagerSuite({
    name: `v${version} in a cgroupfs-shaped dir`, version, root, parent, kernel: false, prepare,
    make: () => createCgroupManager({ root, parent, version: "auto", devices: recordingGuard() }), unsupported: ["blkioWeight"], blockDevice: "8:0",
    netControllers: version === 1, hugepageSize: "2MB",
  });
}

describe("cgroup v2 device allow-list (the guard's calls)", () => {
  it("applies Docker's list by default, the given rules otherwise, none for 'a', and detaches on destroy", async () => {
    const { root, prepare } = fakeV2(parent);
    const devices = recordingGuard();
    const m = createCgroupManager({ root, parent, devices });
    if (!(m instanceof CgroupV2)) throw new Error("expected the v2 manager");
    for (const id of ["d1", "d2", "d3"]) prepare(id);
    await m.create("d1", {});
    await m.create("d2", { deviceRules: [...DEFAULT_DEVICE_RULES, "c 10:237 rw"] });
    await m.create("d3", { deviceRules: ["a"] });
    expect(devices.rules.get(join(root, parent, "d1"))).toEqual(DEFAULT_DEVICE_RULES);
    expect(await m.holdsDeviceRules("d1")).toBe(true);
    expect(await m.holdsDeviceRules("d2", [...DEFAULT_DEVICE_RULES, "c 10:237 rw"])).toBe(true);
    expect(await m.holdsDeviceRules("d2")).toBe(false);
    expect(await m.holdsDeviceRules("d3", ["a"])).toBe(true);
    await m.destroy("d1");
    expect(devices.removed).toEqual([join(root, parent, "d1")]);
  });

  it("leaves no cgroup behind when the device program is refused", async () => {
    const { root } = fakeV2(parent);
    const refusing: DeviceGuard = { ...recordingGuard(), apply: () => { throw new Error("verifier said no"); } };
    const m = createCgroupManager({ root, parent, devices: refusing });
    await expect(m.create("d4", {})).rejects.toThrow(/verifier said no/);
    expect(existsSync(join(root, parent, "d4"))).toBe(false);
  });
});

describe("cgroup layout detection", () => {
  it("tells v1, v2 and hybrid roots apart", () => {
    const v1 = fakeV1(parent).root;
    expect(detectCgroupLayout(v1)).toMatchObject({ mode: "v1", unifiedRoot: null });
    expect(detectCgroupLayout(v1).v1).toContain("memory");
    expect(detectCgroupLayout(fakeV2(parent).root)).toMatchObject({ mode: "v2", v1: [], v2: ["cpuset", "cpu", "io", "memory", "pids", "hugetlb"] });
    populate(join(v1, "unified"), { "cgroup.controllers": "" });
    expect(detectCgroupLayout(v1)).toMatchObject({ mode: "hybrid", v2: [], unifiedRoot: join(v1, "unified") });
    expect(createCgroupManager({ root: v1, parent }).version).toBe(1);
  });

  it("on a hybrid root without v1 controllers, uses the unified mount", () => {
    const root = tempRoot("cgh");
    populate(join(root, "unified"), { "cgroup.controllers": "memory pids", "cgroup.subtree_control": "" });
    expect(detectCgroupLayout(root)).toMatchObject({ mode: "hybrid", v1: [], v2: ["memory", "pids"] });
    expect(createCgroupManager({ root, parent }).version).toBe(2);
  });

  it("creates one directory per distinct mount when cpu and cpuacct are co-mounted", async () => {
    const { root, prepare } = fakeV1(parent, true);
    const m = createCgroupManager({ root, parent });
    prepare("c1");
    await m.create("c1", { cpus: 1.5 });
    expect(m.procsFiles("c1").filter((f) => f.includes("/cpu"))).toEqual([join(root, "cpu", parent, "c1", "cgroup.procs"), join(root, "cpuset", parent, "c1", "cgroup.procs")]);
    expect(await m.read("c1")).toEqual({ cpus: 1.5 });
    await m.destroy("c1");
    expect(await m.list()).toEqual([]);
  });
});
