/**
 * Part of the runtime check inside the cgroup-v2 VM: the device allow-list is a BPF program on the
 * container's cgroup. A default container reads and writes /dev/null and /dev/zero, may mknod a block
 * node (CAP_MKNOD, "b *:* m") but not open it (EPERM from the program); a passed-in device opens;
 * the program is the one the rules compile to (drift check by tag) and is freed with the container.
 */
import assert from "node:assert/strict";
import { closeSync, constants, openSync } from "node:fs";
import type { ResourceState } from "../../core/model/types.js";
import { CgroupV2, createCgroupManager, DEFAULT_DEVICE_RULES } from "../../provider/linux/cgroups/index.js";
import { loadBpfSyscalls } from "../../provider/linux/sys/bpf-syscalls.js";
import type { RuntimeHarness } from "../helpers/runtime-harness.js";

const BPF_CGROUP_DEVICE = 6;
const bpf = loadBpfSyscalls();

function deviceProgramIds(dir: string): number[] {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    return bpf.progQuery(fd, BPF_CGROUP_DEVICE);
  } finally {
    closeSync(fd);
  }
}

function programExists(id: number): boolean {
  try {
    closeSync(bpf.progGetFdById(id));
    return true;
  } catch {
    return false;
  }
}

/** A device node the VM has (its kernel has no loop module loaded, so no /dev/loop-control) that Docker's list leaves out. */
const PASSED = "/dev/kmsg";

export async function checkDevices(h: RuntimeHarness, image: ResourceState): Promise<number[]> {
  const cgroups = createCgroupManager({ root: "/sys/fs/cgroup", parent: h.config.cgroupParent });
  assert.ok(cgroups instanceof CgroupV2);
  const run = async (name: string, script: string, extra: object = {}) => {
    const c = await h.create("container", name, { image: { $ref: "image.busybox" }, command: ["sh", "-c", script], ...extra } as never, [image]);
    await h.waitExit(c, 60_000);
    return { c, out: await h.logs(c) };
  };

  const plain = await run("devplain",
    "echo x > /dev/null && head -c1 /dev/zero | wc -c; mknod /dev/sda b 8 0 && echo made && head -c1 /dev/sda; mknod /dev/kmsg c 1 11 && (exec 3>/dev/kmsg) 2>&1");
  assert.match(plain.out, /^1\nmade\n/, plain.out);
  assert.match(plain.out, /\/dev\/sda'?: Operation not permitted/, plain.out);
  assert.match(plain.out, /\/dev\/kmsg'?: Operation not permitted/, plain.out);
  const dir = `/sys/fs/cgroup/${h.config.cgroupParent}/${plain.c.id}`;
  const ids = deviceProgramIds(dir);
  assert.equal(ids.length, 1);
  assert.equal(await cgroups.holdsDeviceRules(plain.c.id), true);
  assert.equal(await cgroups.holdsDeviceRules(plain.c.id, [...DEFAULT_DEVICE_RULES, "c 1:11 r"]), false);
  console.log("ok v2 device program: /dev/null, /dev/zero open; mknod'ed 8:0 and /dev/kmsg refused with EPERM; tag matches the rules");

  // Write-only: reading /dev/kmsg also needs CAP_SYSLOG under dmesg_restrict, which would blur whose EPERM it is.
  const passed = await run("devpassed", `(exec 3>${PASSED}) && echo opened`, { devices: [{ path: PASSED }] });
  assert.equal(passed.out, "opened\n", passed.out);
  console.log(`ok v2 device program: a passed-in ${PASSED} opens`);

  const privileged = await run("devpriv", "[ -e /dev/kmsg ] || mknod /dev/kmsg c 1 11; (exec 3</dev/kmsg) && echo kmsg-open", { privileged: true });
  assert.match(privileged.out, /kmsg-open/, privileged.out);
  assert.deepEqual(deviceProgramIds(`/sys/fs/cgroup/${h.config.cgroupParent}/${privileged.c.id}`), []);
  console.log("ok v2 device program: none for a privileged container");
  return ids;
}

/** After teardown: the programs went with their cgroups (freed after an RCU grace period). */
export async function checkDevicesFreed(ids: number[]): Promise<void> {
  for (let i = 0; i < 100 && ids.some(programExists); i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(ids.filter(programExists), []);
  console.log("ok v2 device programs freed with their cgroups");
}
