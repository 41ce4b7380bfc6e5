/**
 * The cgroup v2 device program on this host's real kernel: the unified mount has no controllers here,
 * but BPF device programs attach to any cgroup2 directory and the kernel runs them for the processes
 * in it. So the v2 manager's device path (load, attach, query, replace, detach) is tested for real here;
 * test/vm runs the same through whole containers on a pure v2 host.
 */
import { spawn } from "node:child_process";
import { closeSync, constants, existsSync, openSync, readdirSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { SyscallError } from "../../core/errors.js";
import { CgroupV2, createCgroupManager, DEFAULT_DEVICE_RULES } from "../../provider/linux/cgroups/index.js";
import { loadBpfSyscalls } from "../../provider/linux/sys/bpf-syscalls.js";
import { runTag } from "../helpers/busybox-rootfs.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

const unified = "/sys/fs/cgroup/unified";
const parent = `cinfra${runTag()}`;
const hasUnified = existsSync(`${unified}/cgroup.procs`);
const bpf = loadBpfSyscalls();
const openFds = () => readdirSync("/proc/self/fd").length;

/** Run a busybox shell inside the cgroup; its combined output. */
function runIn(m: CgroupV2, id: string, script: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn("/bin/busybox", ["sh", "-c", `echo 0 > ${m.procsFiles(id)[0]} && ${script}`], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", () => resolve(out));
  });
}

describe.runIf(hasUnified)("cgroup v2 device programs on this host's unified mount", () => {
  const m = createCgroupManager({ root: unified, parent, version: 2 });
  if (!(m instanceof CgroupV2)) throw new Error("expected the v2 manager");
  const dir = (id: string) => `${unified}/${parent}/${id}`;

  afterAll(async () => {
    for (const id of await m.list()) await m.destroy(id);
    await m.removeParent();
    expect(kernelObjectsNamed(parent)).toEqual([]);
    expect(existsSync(`${unified}/${parent}`)).toBe(false);
  });

  it("attaches one program of Docker's list that lets /dev/null and /dev/zero open and refuses /dev/kmsg", async () => {
    const fds = openFds();
    await m.create("d1", {});
    expect(openFds()).toBe(fds); // neither the program's nor the cgroup's fd is kept
    const out = await runIn(m, "d1", "echo x > /dev/null && head -c1 /dev/zero | wc -c; (exec 3</dev/kmsg) && echo kmsg-open");
    expect(out).toMatch(/^1\n/);
    expect(out).toMatch(/\/dev\/kmsg'?: Operation not permitted/);
    expect(out).not.toContain("kmsg-open");
    expect(await m.holdsDeviceRules("d1")).toBe(true);
  });

  it("is idempotent, replaces the program when the rules change, and detaches for 'a'", async () => {
    const attached = () => bpfDeviceIds(dir("d2"));
    await m.create("d2", {});
    const first = attached();
    expect(first).toHaveLength(1);
    await m.create("d2", {});
    expect(attached()).toEqual(first);
    const withKmsg = [...DEFAULT_DEVICE_RULES, "c 1:11 r"];
    await m.create("d2", { deviceRules: withKmsg });
    expect(attached()).toHaveLength(1);
    expect(attached()).not.toEqual(first);
    expect(await m.holdsDeviceRules("d2", withKmsg)).toBe(true);
    expect(await m.holdsDeviceRules("d2")).toBe(false);
    expect(await runIn(m, "d2", "(exec 3</dev/kmsg) && echo kmsg-read; (exec 3>/dev/kmsg) 2>/dev/null || echo kmsg-write-refused")).toBe("kmsg-read\nkmsg-write-refused\n");
    await m.create("d2", { deviceRules: ["a"] });
    expect(attached()).toEqual([]);
  });

  it("frees the program on destroy: its id is gone and no fd is left", async () => {
    await m.create("d3", {});
    const [id] = bpfDeviceIds(dir("d3"));
    const fds = openFds();
    await m.destroy("d3");
    expect(existsSync(dir("d3"))).toBe(false);
    expect(openFds()).toBe(fds);
    // Freed after an RCU grace period: poll briefly.
    let gone: unknown = null;
    for (let i = 0; i < 100 && !gone; i++) {
      try {
        const fd = bpf.progGetFdById(id);
        closeSync(fd);
        await new Promise((r) => setTimeout(r, 20));
      } catch (error) {
        gone = error;
      }
    }
    expect(gone).toBeInstanceOf(SyscallError);
    expect((gone as SyscallError).errno).toBe(2); // ENOENT
  });
});

/** The ids of device programs attached to a cgroup directory, via BPF_PROG_QUERY. */
function bpfDeviceIds(path: string): number[] {
  const fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    return bpf.progQuery(fd, 6);
  } finally {
    closeSync(fd);
  }
}
