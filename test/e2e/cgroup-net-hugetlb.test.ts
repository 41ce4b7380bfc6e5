/**
 * net_cls, net_prio and hugetlb limits through the CLI. On this host's own cgroup root they are a plan-time
 * error naming the limit (the controllers are not mounted); on a root where the test mounted them beside the
 * host's controllers (CINFRA_CGROUP_ROOT) a container gets them, and a change is an in-place update.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { mountTestCgroupRoot, unmountedControllers, type TestCgroupRoot } from "../helpers/cgroup-v1-mounts.js";
import { cinfra, sandbox, type Sandbox } from "../helpers/cli.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

const EXTRA = ["net_cls", "net_prio", "hugetlb"];
const isV1 = readFileSync("/proc/self/mountinfo", "utf8").includes(" /sys/fs/cgroup/memory ");
const usable = isV1 && unmountedControllers(EXTRA).length === EXTRA.length;

const stackSource = (limits: string) => `
import { Container, Image } from "cinfra";
const image = new Image("busybox", { rootfs: "./rootfs", config: { env: { PATH: "/bin" } } });
new Container("web", { image, command: ["sleep", "1000"], limits: ${limits} });
`;

describe.runIf(usable)("net_cls, net_prio and hugetlb limits", () => {
  let box: Sandbox;
  let stack: string;
  let mounted: TestCgroupRoot;
  const write = (limits: string) => writeFileSync(stack, stackSource(limits));
  const kernelFile = (controller: string, file: string) => {
    const id = JSON.parse(cinfra(box, "inspect", "web").stdout)[0].Id as string;
    return readFileSync(join(mounted.root, controller, box.cgroupParent, id, file), "utf8");
  };

  beforeAll(() => {
    box = sandbox();
    makeBusyboxRootfs(join(box.dir, "rootfs"));
    stack = join(box.dir, "limits.ts");
  });

  afterAll(async () => {
    if (box.env.CINFRA_CGROUP_ROOT) expect(cinfra(box, "destroy", stack, "--yes").code).toBe(0);
    await mounted?.cleanup();
    expect(kernelObjectsNamed(`cinfra${box.tag}`)).toEqual([]);
    rmSync(box.dir, { recursive: true, force: true });
    rmSync(box.runRoot, { recursive: true, force: true });
  });

  it("is a plan-time error naming the limit where the controller is not mounted, and changes nothing", () => {
    write(`{ netClassId: 0x100001 }`);
    const net = cinfra(box, "apply", stack, "--yes");
    expect(net.code).toBe(1);
    expect(net.stderr).toContain("container.web.limits.netClassId: the net_cls cgroup controller is not mounted on this host");
    expect(net.stderr).toMatch(/limits\.ts:\d+/);
    write(`{ hugepages: { "2MB": "4Mi" } }`);
    const huge = cinfra(box, "plan", stack);
    expect(huge.code).toBe(1);
    expect(huge.stderr).toContain("container.web.limits.hugepages: the hugetlb cgroup controller is not mounted");
    expect(huge.stderr).toContain("only the unified hierarchy offers it");
    expect(JSON.parse(cinfra(box, "ps", "--json").stdout)).toEqual([]);
  });

  it("holds the limits where the controllers are mounted, and updates them in place", () => {
    mounted = mountTestCgroupRoot(`/tmp/cinfra${box.tag}-cgroot`, EXTRA);
    box.env.CINFRA_CGROUP_ROOT = mounted.root;
    write(`{ pids: 20, netClassId: 0x100001, netPriorities: { lo: 3 }, hugepages: { "2MB": "4Mi" } }`);
    const applied = cinfra(box, "apply", stack, "--yes");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const before = JSON.parse(cinfra(box, "inspect", "web").stdout)[0];
    expect(before.Cgroup.Limits).toMatchObject({ netClassId: 0x100001, netPriorities: { lo: 3 }, hugepages: { "2MB": 4 * 2 ** 20 } });
    expect(kernelFile("net_cls", "net_cls.classid").trim()).toBe("1048577");
    expect(kernelFile("net_prio", "net_prio.ifpriomap")).toMatch(/^lo 3$/m);
    expect(kernelFile("hugetlb", "hugetlb.2MB.limit_in_bytes").trim()).toBe(String(4 * 2 ** 20));
    // The container's process sits in those cgroups.
    const cgroups = readFileSync(`/proc/${before.State.Pid}/cgroup`, "utf8");
    for (const controller of EXTRA) expect(cgroups).toMatch(new RegExp(`:${controller}:/${box.cgroupParent}/${before.Id}$`, "m"));

    write(`{ pids: 20, netClassId: 0x100002, netPriorities: { lo: 4 }, hugepages: { "2MB": "8Mi" } }`);
    const plan = cinfra(box, "plan", stack);
    expect(plan.stdout).toMatch(/container\.web will be updated in-place/);
    expect(plan.stdout).not.toMatch(/must be replaced/);
    expect(cinfra(box, "apply", stack, "--yes").code).toBe(0);
    const after = JSON.parse(cinfra(box, "inspect", "web").stdout)[0];
    expect(after.State.Pid).toBe(before.State.Pid);
    expect(kernelFile("net_cls", "net_cls.classid").trim()).toBe("1048578");
    expect(kernelFile("net_prio", "net_prio.ifpriomap")).toMatch(/^lo 4$/m);
    expect(kernelFile("hugetlb", "hugetlb.2MB.limit_in_bytes").trim()).toBe(String(8 * 2 ** 20));

    // Changed behind cinfra's back: drift names it, apply --refresh writes the declared value back.
    writeFileSync(join(mounted.root, "net_cls", box.cgroupParent, after.Id, "net_cls.classid"), "7");
    writeFileSync(join(mounted.root, "hugetlb", box.cgroupParent, after.Id, "hugetlb.2MB.limit_in_bytes"), String(2 * 2 ** 20));
    const drift = cinfra(box, "drift", stack, "--json");
    expect(drift.code).toBe(2);
    const changed = (JSON.parse(drift.stdout).stacks[0].findings as { attribute: string; expected: unknown; actual: unknown; status: string }[])
      .filter((f) => f.status === "changed").map(({ attribute, expected, actual }) => ({ attribute, expected, actual }));
    expect(changed).toEqual([
      { attribute: "limits.hugepages.2MB", expected: "8Mi", actual: "2Mi" },
      { attribute: "limits.netClassId", expected: 0x100002, actual: 7 },
    ]);
    expect(cinfra(box, "apply", stack, "--refresh", "--yes").code).toBe(0);
    expect(kernelFile("net_cls", "net_cls.classid").trim()).toBe("1048578");
    expect(kernelFile("hugetlb", "hugetlb.2MB.limit_in_bytes").trim()).toBe(String(8 * 2 ** 20));
    expect(cinfra(box, "drift", stack).code).toBe(0);

    // Dropping them puts the kernel defaults back, live.
    write(`{ pids: 20 }`);
    expect(cinfra(box, "apply", stack, "--yes").code).toBe(0);
    expect(kernelFile("net_cls", "net_cls.classid").trim()).toBe("0");
    expect(kernelFile("net_prio", "net_prio.ifpriomap")).toMatch(/^lo 0$/m);
    expect(JSON.parse(cinfra(box, "inspect", "web").stdout)[0].Cgroup.Limits).toEqual({ pids: 20 });
  });
});
