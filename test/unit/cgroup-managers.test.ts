/** Both cgroup managers against cgroupfs-shaped temp directories: which file each limit writes, and read-back. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCgroupManager } from "../../provider/linux/cgroups/index.js";
import { sharesToWeight } from "../../provider/linux/cgroups/types.js";

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

function fakeV1(): string {
  const root = mkdtempSync(join(tmpdir(), "cinfra-cg1-"));
  roots.push(root);
  for (const c of ["memory", "cpu", "cpuacct", "pids", "freezer", "cpuset", "devices"]) {
    mkdirSync(join(root, c));
    writeFileSync(join(root, c, "cgroup.procs"), "");
  }
  writeFileSync(join(root, "cpuset/cpuset.cpus"), "0-1");
  writeFileSync(join(root, "cpuset/cpuset.mems"), "0");
  return root;
}

function fakeV2(): string {
  const root = mkdtempSync(join(tmpdir(), "cinfra-cg2-"));
  roots.push(root);
  writeFileSync(join(root, "cgroup.controllers"), "cpuset cpu io memory pids");
  writeFileSync(join(root, "cgroup.subtree_control"), "");
  return root;
}

const read = (path: string) => readFileSync(path, "utf8").trim();
const limits = { memory: 64 * 2 ** 20, cpus: 0.5, pids: 64, cpuShares: 512 };

describe.each([
  ["v1", fakeV1, (root: string, file: string) => {
    const ctrl = file.startsWith("memory") ? "memory" : file.startsWith("pids") ? "pids" : "cpu";
    return join(root, ctrl, "cinfra", "c1", file);
  }, { memory: "memory.limit_in_bytes", cpu: "cpu.cfs_quota_us", pids: "pids.max" }],
  ["v2", fakeV2, (root: string, file: string) => join(root, "cinfra", "c1", file), { memory: "memory.max", cpu: "cpu.max", pids: "pids.max" }],
] as const)("cgroup %s manager", (version, fake, fileOf, files) => {
  it("detects the version from the root's shape", () => {
    expect(createCgroupManager({ root: fake(), parent: "cinfra" }).version).toBe(version === "v1" ? 1 : 2);
  });

  it("writes each limit to its kernel file and reads it back", async () => {
    const root = fake();
    const m = createCgroupManager({ root, parent: "cinfra" });
    await m.create("c1", limits);
    expect(read(fileOf(root, files.memory))).toBe(String(64 * 2 ** 20));
    expect(read(fileOf(root, files.cpu))).toBe(version === "v1" ? "50000" : "50000 100000");
    expect(read(fileOf(root, files.pids))).toBe("64");
    if (version === "v2") expect(read(fileOf(root, "cpu.weight"))).toBe(String(sharesToWeight(512)));
    const back = await m.read("c1");
    expect(back).toMatchObject({ memory: 64 * 2 ** 20, cpus: 0.5, pids: 64 });
  });

  it("updates live, and removing a limit restores unlimited", async () => {
    const root = fake();
    const m = createCgroupManager({ root, parent: "cinfra" });
    await m.create("c1", limits);
    await m.update("c1", { memory: 96 * 2 ** 20 });
    expect(read(fileOf(root, files.memory))).toBe(String(96 * 2 ** 20));
    expect(read(fileOf(root, files.pids))).toBe("max");
    expect(await m.list()).toEqual(["c1"]);
  });

  it("lists the procs files the container init joins", () => {
    const root = fake();
    const files = createCgroupManager({ root, parent: "cinfra" }).procsFiles("c1");
    expect(files.every((f) => f.endsWith("/c1/cgroup.procs"))).toBe(true);
    expect(files.length).toBe(version === "v1" ? 7 : 1);
  });
});
