/**
 * One behaviour suite for every cgroup manager: v1 and v2, against cgroupfs-shaped temp dirs (unit),
 * the real v1 hierarchy (test/linux) and a real unified hierarchy in a VM (test/vm, where "vitest"
 * is a tiny stand-in: so only describe/it/afterAll/afterEach and node:assert are used here).
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, afterEach, describe, it } from "vitest";
import { SyscallError, ValidationError } from "../../core/errors.js";
import { blkioToIoWeight } from "../../provider/linux/cgroups/conversions.js";
import { normalizeLimits, sharesToWeight, type CgroupLimits, type CgroupManager } from "../../provider/linux/cgroups/index.js";

export interface CgroupSuiteTarget {
  name: string;
  version: 1 | 2;
  root: string;
  parent: string;
  make(): CgroupManager;
  /** The real kernel: processes join and limits are enforced. */
  kernel: boolean;
  /** A fake root creates here the files the kernel would provide on mkdir of `<parent>/<id>`. */
  prepare?(id: string): void;
  /** Limits whose kernel files this root lacks: they must be refused, never dropped. */
  unsupported?: (keyof CgroupLimits)[];
  /** A block device ("maj:min") throttle rules may name; absent = no throttle checks. */
  blockDevice?: string;
  /** v1 with net_cls and net_prio mounted: netClassId and netPriorities (on "lo") are checked. */
  netControllers?: boolean;
  /** A huge page size ("2MB") the hugetlb controller offers here; absent = no hugetlb checks. */
  hugepageSize?: string;
}

const MiB = 2 ** 20;
const KERNEL_TIMEOUT = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every limit this target supports, with values no kernel default equals. */
function fullLimits(t: CgroupSuiteTarget): CgroupLimits {
  const all: CgroupLimits = {
    memory: 64 * MiB, memoryReservation: 32 * MiB, memorySwap: 96 * MiB, cpus: 0.5, cpuShares: 512,
    cpusetCpus: "0", cpusetMems: "0", pids: 64, blkioWeight: 300,
    ...(t.blockDevice ? { blkioThrottle: [{ device: t.blockDevice, readBps: MiB, writeIops: 500 }] } : {}),
    ...(t.netControllers ? { netClassId: 0x100001, netPriorities: { lo: 5 } } : {}),
    ...(t.hugepageSize ? { hugepages: { [t.hugepageSize]: 2 * hugepage(t.hugepageSize) } } : {}),
  };
  for (const key of t.unsupported ?? []) delete all[key];
  return all;
}

/** The file contents each limit of fullLimits() must leave, per version (only the first line is compared). */
function expectedFiles(t: CgroupSuiteTarget, limits: CgroupLimits): [string, string][] {
  const v1: [keyof CgroupLimits, string, string][] = [
    ["memory", "memory.limit_in_bytes", `${64 * MiB}`], ["memoryReservation", "memory.soft_limit_in_bytes", `${32 * MiB}`],
    ["memorySwap", "memory.memsw.limit_in_bytes", `${96 * MiB}`], ["cpus", "cpu.cfs_quota_us", "50000"], ["cpus", "cpu.cfs_period_us", "100000"],
    ["cpuShares", "cpu.shares", "512"], ["cpusetCpus", "cpuset.cpus", "0"], ["cpusetMems", "cpuset.mems", "0"], ["pids", "pids.max", "64"], weightLine(t),
    ["blkioThrottle", "blkio.throttle.read_bps_device", `${t.blockDevice} ${MiB}`], ["blkioThrottle", "blkio.throttle.write_iops_device", `${t.blockDevice} 500`],
    ["netClassId", "net_cls.classid", "1048577"], ["netPriorities", "net_prio.ifpriomap", "lo 5"],
    ["hugepages", `hugetlb.${t.hugepageSize}.limit_in_bytes`, `${2 * hugepage(t.hugepageSize ?? "")}`],
  ];
  const v2: [keyof CgroupLimits, string, string][] = [
    ["memory", "memory.max", `${64 * MiB}`], ["memoryReservation", "memory.low", `${32 * MiB}`], ["memorySwap", "memory.swap.max", `${32 * MiB}`],
    ["cpus", "cpu.max", "50000 100000"], ["cpuShares", "cpu.weight", `${sharesToWeight(512)}`], ["cpusetCpus", "cpuset.cpus", "0"],
    ["cpusetMems", "cpuset.mems", "0"], ["pids", "pids.max", "64"], weightLine(t),
    ["blkioThrottle", "io.max", `${t.blockDevice} rbps=${MiB} wbps=max riops=max wiops=500`],
    ["hugepages", `hugetlb.${t.hugepageSize}.max`, `${2 * hugepage(t.hugepageSize ?? "")}`],
  ];
  return (t.version === 1 ? v1 : v2).filter(([key]) => limits[key] !== undefined).map(([, file, content]) => [file, content]);
}

/** Bytes of one huge page of a size named as the kernel names it ("2MB"). */
const hugepage = (size: string) => Number(/^\d+/.exec(size)?.[0] ?? 0) * ({ KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30 }[size.slice(-2)] ?? 0);

/** blkioWeight lands as is in a BFQ weight file when there is one, else in blkio.weight (v1) or converted in io.weight (v2). */
function weightLine(t: CgroupSuiteTarget): [keyof CgroupLimits, string, string] {
  const parentDir = t.version === 1 ? join(t.root, "blkio", t.parent) : join(t.root, t.parent);
  if (t.version === 1) return ["blkioWeight", existsSync(join(parentDir, "blkio.weight")) ? "blkio.weight" : "blkio.bfq.weight", "300"];
  if (existsSync(join(parentDir, "io.bfq.weight"))) return ["blkioWeight", "io.bfq.weight", "default 300"];
  return ["blkioWeight", "io.weight", `default ${blkioToIoWeight(300)}`];
}

/** `<root>/<controller>/<parent>/<id>/<file>` on v1, `<root>/<parent>/<id>/<file>` on v2. */
export function kernelFile(t: CgroupSuiteTarget, id: string, file: string): string {
  return t.version === 1 ? join(t.root, file.split(".")[0], t.parent, id, file) : join(t.root, t.parent, id, file);
}

const firstLine = (path: string) => readFileSync(path, "utf8").split("\n")[0].trim();

export function cgroupManagerSuite(t: CgroupSuiteTarget): void {
  describe(`cgroup manager: ${t.name}`, () => {
    const m = t.make();
    let seq = 0;
    const children: ChildProcess[] = [];
    const fresh = async (limits: CgroupLimits = {}) => {
      const id = `c${++seq}`;
      t.prepare?.(id);
      await m.create(id, limits);
      return id;
    };

    afterEach(() => {
      for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    afterAll(async () => {
      for (const id of await m.list()) {
        await m.kill(id);
        await m.destroy(id);
      }
      await m.removeParent();
    });

    it("reports its version", () => assert.equal(m.version, t.version));

    it("creates the cgroup idempotently, lists it, and names its procs files", async () => {
      const id = await fresh();
      await m.create(id, {});
      assert.ok((await m.list()).includes(id));
      const files = m.procsFiles(id);
      assert.equal(new Set(files).size, files.length);
      if (t.version === 2) assert.equal(files.length, 1);
      for (const file of files) assert.ok(file.endsWith(`/${id}/cgroup.procs`) && existsSync(file), file);
    });

    it("writes each limit to its kernel file", async () => {
      const limits = fullLimits(t);
      const id = await fresh(limits);
      for (const [file, content] of expectedFiles(t, limits)) assert.equal(firstLine(kernelFile(t, id, file)), content, file);
    });

    it("reads back what it wrote, in the kernel's normal form, and nothing for defaults", async () => {
      const limits = fullLimits(t);
      const expected = normalizeLimits(t.version, limits);
      // v1 has no "inherit" cpuset value: one equal to the parent's reads as inherited (absent).
      for (const [key, file] of [["cpusetCpus", "cpuset.cpus"], ["cpusetMems", "cpuset.mems"]] as const) {
        if (t.version === 1 && expected[key] === firstLine(join(t.root, "cpuset", t.parent, file))) delete expected[key];
      }
      assert.deepEqual(await m.read(await fresh(limits)), expected);
      assert.deepEqual(await m.read(await fresh()), {});
    });

    it("updates only the given limits, and null restores the kernel default", async () => {
      const id = await fresh({ memory: 64 * MiB, pids: 64, cpus: 0.5 });
      await m.update(id, { memory: 96 * MiB, cpus: null });
      assert.deepEqual(await m.read(id), { memory: 96 * MiB, pids: 64 });
      await m.update(id, { pids: null, memory: null });
      assert.deepEqual(await m.read(id), {});
    });

    const missing = t.unsupported?.[0];
    if (missing) it("refuses a limit the kernel does not offer, naming the file, and puts back what it wrote first", async () => {
      const id = await fresh({ pids: 64, cpus: 0.5 });
      const key = missing;
      const value = key === "blkioWeight" ? 300 : key === "memorySwap" ? 128 * MiB : 1;
      const error = await m.update(id, { pids: 99, cpus: 1, [key]: value }).then(() => null, (e: unknown) => e);
      assert.ok(error instanceof SyscallError, String(error));
      assert.equal(error.errno, 2);
      assert.ok(error.path?.includes(`/${id}/`), error.message);
      assert.deepEqual(await m.read(id), { pids: 64, cpus: 0.5 });
    });

    if (!t.unsupported?.includes("memorySwap")) it("rejects memorySwap below memory before writing anything", async () => {
      const id = await fresh({ memory: 64 * MiB });
      await assert.rejects(m.update(id, { pids: 10, memorySwap: 32 * MiB }), ValidationError);
      assert.deepEqual(await m.read(id), { memory: 64 * MiB });
    });

    if (!t.unsupported?.includes("memorySwap")) it("orders memory and swap writes so memory never exceeds memory + swap", async () => {
      const id = await fresh({ memory: 64 * MiB, memorySwap: 96 * MiB });
      await m.update(id, { memory: 128 * MiB, memorySwap: 192 * MiB });
      assert.deepEqual(await m.read(id), { memory: 128 * MiB, memorySwap: 192 * MiB });
      await m.update(id, { memory: 32 * MiB, memorySwap: 48 * MiB });
      assert.deepEqual(await m.read(id), { memory: 32 * MiB, memorySwap: 48 * MiB });
      await m.update(id, { memory: null, memorySwap: null });
      assert.deepEqual(await m.read(id), {});
    });

    if (t.netControllers || t.hugepageSize) it("updates net_cls, net_prio and hugetlb limits live; maps are whole, null restores the default", async () => {
      const size = t.hugepageSize;
      const net = t.netControllers ? { netClassId: 0x100001, netPriorities: { lo: 5 } } : {};
      const id = await fresh({ ...net, ...(size ? { hugepages: { [size]: hugepage(size) } } : {}) });
      assert.deepEqual(await m.read(id), { ...net, ...(size ? { hugepages: { [size]: hugepage(size) } } : {}) });
      const next = t.netControllers ? { netClassId: 0x20003, netPriorities: { lo: 7 } } : {};
      await m.update(id, { ...next, ...(size ? { hugepages: { [size]: 3 * hugepage(size) } } : {}) });
      assert.deepEqual(await m.read(id), { ...next, ...(size ? { hugepages: { [size]: 3 * hugepage(size) } } : {}) });
      await m.update(id, { ...(t.netControllers ? { netPriorities: {} } : {}), ...(size ? { hugepages: {} } : {}) });
      assert.deepEqual(await m.read(id), t.netControllers ? { netClassId: 0x20003 } : {});
      await m.update(id, { netClassId: null, netPriorities: null, hugepages: null });
      assert.deepEqual(await m.read(id), {});
    });

    if (t.version === 2) it("refuses net_cls and net_prio limits (no v2 equivalent) before writing anything", async () => {
      const id = await fresh({ pids: 64 });
      for (const limits of [{ netClassId: 0x100001 }, { netPriorities: { lo: 5 } }]) {
        const error = await m.update(id, { pids: 99, ...limits }).then(() => null, (e: unknown) => e);
        assert.ok(error instanceof ValidationError, String(error));
        assert.match(error.message, /no cgroup v2 equivalent: not supported on this host/);
      }
      assert.deepEqual(await m.read(id), { pids: 64 });
      await m.update(id, { netClassId: null, netPriorities: null }); // a reset has nothing to undo
    });

    it("resets a cpuset to the inherited one with null", async () => {
      const id = await fresh({ cpusetCpus: "0" });
      assert.equal((await m.read(id)).cpusetCpus, "0");
      await m.update(id, { cpusetCpus: null });
      assert.equal((await m.read(id)).cpusetCpus, undefined);
    });

    const device = t.blockDevice;
    if (device) it("replaces the whole throttle list: devices and limits left out lose their rules", async () => {
      const id = await fresh({ blkioThrottle: [{ device, readBps: MiB, writeIops: 500 }] });
      await m.update(id, { blkioThrottle: [{ device, writeBps: 2 * MiB }] });
      assert.deepEqual((await m.read(id)).blkioThrottle, [{ device, writeBps: 2 * MiB }]);
      await m.update(id, { blkioThrottle: null });
      assert.deepEqual(await m.read(id), {});
    });

    it("freezes and thaws", async () => {
      const id = await fresh();
      await m.freeze(id);
      assert.equal(await m.frozen(id), true);
      await m.thaw(id);
      assert.equal(await m.frozen(id), false);
    });

    it("destroys every directory, idempotently", async () => {
      const id = await fresh({ pids: 10 });
      const dirs = m.procsFiles(id).map((f) => dirname(f));
      await m.destroy(id);
      await m.destroy(id);
      for (const dir of dirs) assert.equal(existsSync(dir), false, dir);
      assert.ok(!(await m.list()).includes(id));
    });

    if (t.kernel) kernelChecks(t, m, fresh, children);
  });
}

/** Run `command` (argv) after the shell moved itself into every procs file: what the native helper does before exec. */
function spawnIn(m: CgroupManager, id: string, argv: string[], children: ChildProcess[]): ChildProcess & { output: () => string } {
  const join0 = m.procsFiles(id).map((f) => `echo 0 > ${f}`).join(" && ");
  const child = spawn("/bin/busybox", ["sh", "-c", `${join0} && echo joined && exec "$@"`, "sh", ...argv], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return Object.assign(child, { output: () => out });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });

async function until(what: string, done: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

function kernelChecks(t: CgroupSuiteTarget, m: CgroupManager, fresh: (l?: CgroupLimits) => Promise<string>, children: ChildProcess[]): void {
  it("moves a process in, counts it, and kills everything in it", async () => {
    const id = await fresh({ pids: 20 });
    const child = spawnIn(m, id, ["sleep", "300"], children);
    await until("the process joined every controller", () => child.output().includes("joined"));
    assert.ok((await m.pids(id)).includes(child.pid!));
    assert.ok((await m.stats(id)).pidsCurrent >= 1);
    await m.kill(id);
    assert.equal((await exited(child)).signal, "SIGKILL");
    await until("the cgroup is empty", async () => (await m.pids(id)).length === 0);
  }, KERNEL_TIMEOUT);

  it("OOM-kills a memory hog at the limit", async () => {
    const swap = t.unsupported?.includes("memorySwap") ? {} : { memorySwap: 16 * MiB };
    const id = await fresh({ memory: 16 * MiB, ...swap });
    const hog = spawnIn(m, id, ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"], children);
    assert.equal((await exited(hog)).signal, "SIGKILL", hog.output());
    const stats = await m.stats(id);
    assert.ok(stats.oomKills >= 1, JSON.stringify(stats)); // failcnt is not asserted: v1 on 6.18 leaves it at 0
    assert.equal(stats.memoryLimit, 16 * MiB);
  }, KERNEL_TIMEOUT);

  it("caps forks at pids.max", async () => {
    const id = await fresh({ pids: 5 });
    const script = "for i in 1 2 3 4 5 6 7 8; do sleep 300 & done; echo spawned";
    const shell = spawnIn(m, id, ["/bin/busybox", "sh", "-c", script], children);
    await exited(shell);
    assert.match(shell.output(), /fork|resource temporarily unavailable/i);
    assert.ok((await m.stats(id)).pidsCurrent <= 5);
    await m.kill(id);
  }, KERNEL_TIMEOUT);

  // v1: devices.deny/devices.allow; v2: the BPF device program. The same behaviour from inside either.
  it("enforces the device allow-list: listed nodes open, others fail with EPERM, 'a' opens everything", async () => {
    const probe = "echo x > /dev/null && head -c1 /dev/zero >/dev/null && echo null-zero-ok; " +
      "(exec 3</dev/kmsg) 2>/dev/null && echo kmsg-read-ok || (exec 3</dev/kmsg) 2>&1; (exec 3>/dev/kmsg) 2>/dev/null && echo kmsg-write-ok";
    const run = async (limits: CgroupLimits) => {
      const child = spawnIn(m, await fresh(limits), ["/bin/busybox", "sh", "-c", probe], children);
      await exited(child);
      return child.output();
    };
    const byDefault = await run({});
    assert.match(byDefault, /null-zero-ok/);
    assert.match(byDefault, /\/dev\/kmsg'?: Operation not permitted/);
    assert.doesNotMatch(byDefault, /kmsg-(read|write)-ok/);
    const readOnly = await run({ deviceRules: ["c 1:3 rwm", "c 1:5 rwm", "c 1:11 r"] });
    assert.match(readOnly, /null-zero-ok\nkmsg-read-ok/);
    assert.doesNotMatch(readOnly, /kmsg-write-ok/);
    assert.match(await run({ deviceRules: ["a"] }), /kmsg-read-ok\nkmsg-write-ok/);
  }, KERNEL_TIMEOUT);

  it("refuses to lower memory below usage with EBUSY naming the file, keeping the old limits", async () => {
    const id = await fresh({ memory: 160 * MiB, pids: 20 });
    const holder = spawnIn(m, id, [process.execPath, "-e", "globalThis.b = Buffer.alloc(48 << 20, 1); console.log('held'); setInterval(() => {}, 1e6)"], children);
    await until("the memory is held", () => holder.output().includes("held"));
    const memoryFile = kernelFile(t, id, t.version === 1 ? "memory.limit_in_bytes" : "memory.max");
    const error = await m.update(id, { pids: 30, memory: 16 * MiB }).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof SyscallError, String(error));
    assert.equal(error.errno, 16);
    assert.equal(error.path, memoryFile);
    assert.match(error.message, /EBUSY/);
    assert.deepEqual(await m.read(id), { memory: 160 * MiB, pids: 20 });
    assert.equal(holder.exitCode, null, "the holder survived");
    await m.update(id, { memory: 192 * MiB });
    assert.equal((await m.stats(id)).memoryLimit, 192 * MiB);
  }, KERNEL_TIMEOUT);

  if (t.version === 1) it("allows only Docker's default devices unless told otherwise", async () => {
    const list = readFileSync(kernelFile(t, await fresh(), "devices.list"), "utf8");
    assert.doesNotMatch(list, /^a \*:\* rwm$/m);
    assert.match(list, /^c 1:3 rwm$/m);
    const open = readFileSync(kernelFile(t, await fresh({ deviceRules: ["a"] }), "devices.list"), "utf8");
    assert.match(open, /^a \*:\* rwm$/m);
  });

  it("destroys a cgroup whose processes were just killed", async () => {
    const id = await fresh({ pids: 20 });
    const child = spawnIn(m, id, ["sleep", "300"], children);
    await until("the process joined every controller", () => child.output().includes("joined"));
    const dirs = m.procsFiles(id).map((f) => dirname(f));
    await m.kill(id);
    await m.destroy(id);
    for (const dir of dirs) assert.equal(existsSync(dir), false, dir);
  }, KERNEL_TIMEOUT);
}
