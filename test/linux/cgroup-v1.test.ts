/**
 * The shared cgroup manager suite against this host's real v1 hierarchy (controllers mounted one per
 * directory under /sys/fs/cgroup, cpu and cpuacct apart), under a per-run parent `cinfra<tag>`.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { createCgroupManager, detectCgroupLayout } from "../../provider/linux/cgroups/index.js";
import { runTag } from "../helpers/busybox-rootfs.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";
import { cgroupManagerSuite } from "../conformance/cgroup-manager-suite.js";
import { blkioWeightOffered } from "../helpers/cgroup-v1-mounts.js";

const root = "/sys/fs/cgroup";
const parent = `cinfra${runTag()}`;
const isV1 = readFileSync("/proc/self/mountinfo", "utf8").includes(" /sys/fs/cgroup/memory ");

/** A whole disk (not loop, zram or ram) whose "maj:min" throttle rules may name. */
function blockDevice(): string | undefined {
  const disk = readdirSync("/sys/block").find((d) => !/^(loop|zram|ram)/.test(d) && existsSync(`/sys/block/${d}/dev`));
  return disk ? readFileSync(`/sys/block/${disk}/dev`, "utf8").trim() : undefined;
}

if (isV1) {
  cgroupManagerSuite({
    name: "v1, the host's hierarchy", version: 1, root, parent, kernel: true, blockDevice: blockDevice(),
    make: () => createCgroupManager({ root, parent, version: "auto" }),
    // Without CFQ or BFQ on any disk (this host: none/mq-deadline/kyber) there is no blkio weight file.
    unsupported: blkioWeightOffered() ? [] : ["blkioWeight"],
  });
}

describe.runIf(isV1)("cgroup v1 on this host", () => {
  afterAll(() => {
    expect(kernelObjectsNamed(parent)).toEqual([]);
  });

  it("is detected as hybrid, with every controller served by v1", () => {
    const layout = detectCgroupLayout(root);
    expect(layout.mode).toBe("hybrid");
    expect(layout.v1).toEqual(["memory", "cpu", "cpuacct", "cpuset", "pids", "freezer", "blkio", "devices"]);
    expect(layout.v2).not.toContain("memory"); // the unified mount offers only what v1 does not hold (hugetlb here)
    expect(createCgroupManager({ root, parent }).version).toBe(1);
  });

  it("joins a separate directory per controller mount, cpu and cpuacct apart", () => {
    const files = createCgroupManager({ root, parent }).procsFiles("x");
    expect(files.map((f) => f.split("/")[4])).toEqual(["memory", "cpu", "cpuacct", "cpuset", "pids", "freezer", "blkio", "devices"]);
  });
});
