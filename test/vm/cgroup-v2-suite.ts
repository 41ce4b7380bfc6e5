/**
 * Runs inside the cgroup-v2 VM (../shared/tools/run-in-v2vm.sh): the shared cgroup manager suite
 * against the real unified hierarchy, on test/vm/mini-vitest.ts (the bundle maps "vitest" to it).
 * Prints one line per check and "ok <n> checks" at the end; exits 1 when any failed.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createCgroupManager, detectCgroupLayout } from "../../provider/linux/cgroups/index.js";
import { cgroupManagerSuite } from "../conformance/cgroup-manager-suite.js";
import { describe, it, run } from "./mini-vitest.js";

const root = "/sys/fs/cgroup";
const parent = `cinfravm${process.pid}`;

describe("the VM's hierarchy", () => {
  it("is pure cgroup v2 with the controllers cinfra uses", () => {
    const layout = detectCgroupLayout(root);
    assert.equal(layout.mode, "v2");
    for (const c of ["cpuset", "cpu", "io", "memory", "pids"]) assert.ok(layout.v2.includes(c), c);
    assert.equal(createCgroupManager({ root, parent }).version, 2);
  });
});

cgroupManagerSuite({
  name: "v2, a real unified hierarchy (VM)", version: 2, root, parent, kernel: true,
  make: () => createCgroupManager({ root, parent, version: "auto" }),
  // The VM's unified root offers hugetlb: its hugetlb.<size>.max files are checked where the kernel has 2MB pages.
  hugepageSize: existsSync("/sys/kernel/mm/hugepages/hugepages-2048kB") ? "2MB" : undefined,
});

describe("after the suite", () => {
  it("left no cgroup behind", () => assert.equal(existsSync(`${root}/${parent}`), false));
});

const { passed, failed } = await run();
console.log(failed ? `not ok ${failed} of ${passed + failed} checks failed` : `ok ${passed} checks`);
process.exit(failed ? 1 : 0);
