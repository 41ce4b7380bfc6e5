/** Plan-time support of declared limits on v1, v2 and hybrid roots (cgroupfs-shaped temp dirs). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { unsupportedLimits } from "../../provider/linux/cgroups/limit-support.js";

const dirs: string[] = [];
afterAll(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function root(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "cinfra-support-"));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const HOST_V1 = ["memory", "cpu", "cpuacct", "cpuset", "pids", "freezer", "blkio", "devices"];
/** This host's shape: v1 controllers, hugetlb only on the unified mount. */
const hybrid = (extra: string[] = []) => root({
  ...Object.fromEntries([...HOST_V1, ...extra].map((c) => [`${c}/cgroup.procs`, ""])),
  "unified/cgroup.controllers": "hugetlb",
});
const v2 = (controllers: string) => root({ "cgroup.controllers": controllers });
const pages = root({ "hugepages-2048kB/nr_hugepages": "0" });
const nets = root({ "lo/ifindex": "1" });
const ALL = { memory: "64Mi", cpus: 1, pids: 10, blkio: { weight: 100 }, netClassId: 1, netPriorities: { lo: 1 }, hugepages: { "2MB": "4Mi" } };

describe("limits this host's cgroups cannot hold", () => {
  it("v1: names the limits whose controller is not mounted, and says when only the unified mount has it", () => {
    const found = unsupportedLimits({ root: hybrid(), hugepagesDir: pages, netDir: nets }, ALL);
    expect(found.map((u) => u.path)).toEqual(["netClassId", "netPriorities", "hugepages"]);
    expect(found[0].reason).toMatch(/^the net_cls cgroup controller is not mounted on this host/);
    expect(found[2].reason).toMatch(/only the unified hierarchy offers it/);
  });

  it("v1 with the controllers mounted: only a page size or an interface the host lacks", () => {
    const host = { root: hybrid(["net_cls", "net_prio", "hugetlb"]), hugepagesDir: pages, netDir: nets };
    expect(unsupportedLimits(host, ALL)).toEqual([]);
    expect(unsupportedLimits(host, { netPriorities: { lo: 1, eth9: 2 } })).toEqual([
      { path: "netPriorities.eth9", reason: "this host has no network interface eth9 (net_prio names the host's interfaces)" },
    ]);
    expect(unsupportedLimits(host, { hugepages: { "2MB": "4Mi", "1GB": "1Gi" } })).toEqual([
      { path: "hugepages.1GB", reason: `this kernel has no 1GB huge pages (no ${pages}/hugepages-1048576kB)` },
    ]);
  });

  it("v2: net_cls and net_prio have no equivalent; a controller missing from cgroup.controllers is named", () => {
    const found = unsupportedLimits({ root: v2("cpuset cpu memory pids"), hugepagesDir: pages }, ALL);
    expect(found).toEqual([
      { path: "blkio", reason: "the io controller is not available in this host's cgroup v2 hierarchy" },
      { path: "netClassId", reason: "net_cls has no cgroup v2 equivalent: not supported on this host (cgroup v2)" },
      { path: "netPriorities", reason: "net_prio has no cgroup v2 equivalent: not supported on this host (cgroup v2)" },
      { path: "hugepages", reason: "the hugetlb controller is not available in this host's cgroup v2 hierarchy" },
    ]);
    expect(unsupportedLimits({ root: v2("cpuset cpu io memory pids hugetlb"), hugepagesDir: pages }, { memory: "1Gi", hugepages: { "2MB": "2Mi" } })).toEqual([]);
  });
});
