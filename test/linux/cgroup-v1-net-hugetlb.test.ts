/**
 * net_cls, net_prio and hugetlb on real v1 hierarchies. This host leaves them unmounted, so the test
 * mounts them beside (symlinks to) the host's own controller mounts under a `cinfra<tag>` root: the
 * shared manager suite runs there with processes joining all eleven controllers, then what only the
 * kernel shows (its page rounding, an unknown interface refused).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SyscallError } from "../../core/errors.js";
import { createCgroupManager, type CgroupManager } from "../../provider/linux/cgroups/index.js";
import { cgroupManagerSuite } from "../conformance/cgroup-manager-suite.js";
import { runTag } from "../helpers/busybox-rootfs.js";
import { blkioWeightOffered, mountTestCgroupRoot, unmountedControllers, type TestCgroupRoot } from "../helpers/cgroup-v1-mounts.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

const EXTRA = ["net_cls", "net_prio", "hugetlb"];
const tag = runTag();
const parent = `cinfra${tag}`;
const isV1 = readFileSync("/proc/self/mountinfo", "utf8").includes(" /sys/fs/cgroup/memory ");
const usable = isV1 && unmountedControllers(EXTRA).length === EXTRA.length;
const dir = `/tmp/cinfra${tag}-cgroot`;
const MiB = 2 ** 20;

let mounted: TestCgroupRoot | undefined;
if (usable) {
  mounted = mountTestCgroupRoot(dir, EXTRA);
  cgroupManagerSuite({
    name: "v1, the host's hierarchy plus net_cls, net_prio and hugetlb", version: 1, root: dir, parent, kernel: true,
    netControllers: true, hugepageSize: "2MB", make: () => createCgroupManager({ root: dir, parent }),
    unsupported: blkioWeightOffered() ? [] : ["blkioWeight"],
  });
}

describe.runIf(usable)("net_cls, net_prio and hugetlb on the real kernel", () => {
  let m: CgroupManager;
  const ids: string[] = [];
  beforeAll(() => {
    m = createCgroupManager({ root: dir, parent });
  });
  afterAll(async () => {
    for (const id of ids) await m.destroy(id);
    await m.removeParent();
    await mounted?.cleanup();
    expect(kernelObjectsNamed(parent)).toEqual([]);
  });

  it("joins the container to the mounted controllers too", () => {
    const controllers = m.procsFiles("x").map((f) => f.split("/")[3]);
    expect(controllers).toEqual(expect.arrayContaining(EXTRA));
  });

  it("refuses a priority for an interface the host does not have, putting back what it wrote", async () => {
    const id = `p${tag}`;
    ids.push(id);
    await m.create(id, { netClassId: 0x10001, netPriorities: { lo: 3 } });
    const error = await m.update(id, { netClassId: 0x10002, netPriorities: { lo: 4, [`cinfra${tag}x`]: 1 } }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(SyscallError);
    expect((error as SyscallError).errno).toBe(19); // ENODEV
    expect((error as SyscallError).path).toMatch(/net_prio\.ifpriomap$/);
    expect(await m.read(id)).toEqual({ netClassId: 0x10001, netPriorities: { lo: 3 } });
  });

  it("refuses a page size the kernel does not have, naming the file", async () => {
    const id = `h${tag}`;
    ids.push(id);
    await m.create(id, { hugepages: { "2MB": 4 * MiB } });
    const error = await m.update(id, { hugepages: { "2MB": 8 * MiB, "3MB": 6 * MiB } }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(SyscallError);
    expect((error as SyscallError).path).toMatch(/hugetlb\.3MB\.limit_in_bytes$/);
    expect(await m.read(id)).toEqual({ hugepages: { "2MB": 4 * MiB } });
  });
});
