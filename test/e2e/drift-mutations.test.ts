/**
 * Reality changed behind cinfra's back, one mutation per test: `cinfra drift` reports it exactly
 * (kind, attribute, expected, actual) with exit 2, `apply --refresh` puts it back, and `drift`
 * then exits 0. Real containers, bridges, veths and cgroups through the real CLI.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openImageStore } from "../../provider/linux/images/index.js";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { cinfra, sandbox, type Sandbox } from "../helpers/cli.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

interface Finding {
  address: string;
  type: string;
  status: string;
  attribute: string | null;
  expected: unknown;
  actual: unknown;
  detail: string | null;
}

const MiB = 2 ** 20;

describe("drift: mutate reality, report it, put it back", () => {
  let box: Sandbox;
  let stack: string;
  let rogueState: string;

  const run = (...args: string[]) => cinfra(box, ...args);
  const drift = () => {
    const r = run("drift", stack, "--json");
    if (r.code === 1) throw new Error(r.stderr);
    return { code: r.code, findings: (JSON.parse(r.stdout) as { stacks: { findings: Finding[] }[] }).stacks.flatMap((s) => s.findings) };
  };
  const brief = (f: Finding) => ({ address: f.address, type: f.type, status: f.status, attribute: f.attribute, expected: f.expected, actual: f.actual });
  const stateOf = (name: string) => JSON.parse(run("--stack", "shop", "state", "show", name, "--json").stdout) as { id: string; outputs: Record<string, unknown> };
  const inspect = () => JSON.parse(run("inspect", "app").stdout)[0];
  /** apply --refresh puts everything back, and drift agrees. */
  const putBack = () => {
    const applied = run("apply", "--refresh", stack, "--yes");
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const after = run("drift", stack);
    expect(after.code, after.stdout + after.stderr).toBe(0);
    return applied.stdout;
  };

  beforeAll(() => {
    box = sandbox();
    makeBusyboxRootfs(join(box.dir, "rootfs"));
    stack = join(box.dir, "shop.ts");
    rogueState = join(box.dir, "rogue.db");
    writeFileSync(stack, `
import { Container, Image, Network, Volume } from "cinfra";
const image = new Image("busybox", { rootfs: "./rootfs", config: { env: { PATH: "/bin" } } });
const net = new Network("net");
const data = new Volume("data");
new Container("app", {
  image, command: ["sleep", "1000"], init: true, stopTimeout: 1, limits: { memory: "40Mi" },
  networks: [net], mounts: [{ volume: data, target: "/data" }],
});
`);
    const r = run("apply", stack, "--yes");
    expect(r.code, r.stderr).toBe(0);
    expect(drift().code).toBe(0);
  });

  afterAll(() => {
    run("destroy", stack, "--yes");
    cinfra({ ...box, env: { ...box.env, CINFRA_STATE: rogueState } }, "destroy", "--stack", "shop", "--yes");
    expect(kernelObjectsNamed(`cinfra${box.tag}`)).toEqual([]);
    rmSync(box.dir, { recursive: true, force: true });
    rmSync(box.runRoot, { recursive: true, force: true });
  });

  it("a killed container is reported stopped with its exit code, and restarted", async () => {
    process.kill(inspect().State.Pid, "SIGKILL");
    let report = drift();
    // The shim records the exit a moment after the kill.
    for (let i = 0; i < 50 && report.findings.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      report = drift();
    }
    expect(report.code).toBe(2);
    expect(report.findings.map(brief)).toEqual([
      { address: "container.app", type: "container", status: "stopped", attribute: "status", expected: "running", actual: "exited" },
    ]);
    expect(report.findings[0].detail).toBe("exit code 137");
    expect(putBack()).toContain("stopped (exit code 137)");
    expect(inspect().State.Status).toBe("running");
  });

  it("a memory limit rewritten in the cgroup file is reported and rewritten live", () => {
    const memoryDir: string = inspect().Cgroup.Paths.find((p: string) => p.includes("/memory/")) ?? inspect().Cgroup.Paths[0];
    const file = join(memoryDir, memoryDir.includes("/memory/") ? "memory.limit_in_bytes" : "memory.max");
    writeFileSync(file, String(50 * MiB));
    const report = drift();
    expect(report.code).toBe(2);
    expect(report.findings.map(brief)).toEqual([
      { address: "container.app", type: "container", status: "changed", attribute: "limits.memory", expected: "40Mi", actual: "50Mi" },
    ]);
    const id = inspect().Id;
    expect(putBack()).toContain("update");
    expect(inspect().Id).toBe(id); // in place: the same container
    expect(Number(readFileSync(file, "utf8"))).toBe(40 * MiB);
  });

  it("a deleted veth is reported and the container recreated with a new one", () => {
    const hostIf: string = inspect().NetworkSettings[0].HostInterface;
    execFileSync("ip", ["link", "del", hostIf]);
    const report = drift();
    expect(report.code).toBe(2);
    expect(report.findings.map(brief)).toEqual([
      { address: "container.app", type: "container", status: "changed", attribute: "network.net.hostInterface", expected: hostIf, actual: null },
    ]);
    putBack();
    expect(execFileSync("ip", ["-o", "link", "show", inspect().NetworkSettings[0].HostInterface], { encoding: "utf8" })).toContain("master");
  });

  it("a deleted bridge is reported missing and the network recreated with its containers", () => {
    const network = stateOf("network.net");
    const bridge = network.outputs.bridge as string;
    execFileSync("ip", ["link", "del", bridge]);
    const report = drift();
    expect(report.code).toBe(2);
    expect(report.findings.map(brief)).toEqual([
      { address: "container.app", type: "container", status: "changed", attribute: "network.net.bridge", expected: bridge, actual: null },
      { address: "network.net", type: "network", status: "missing", attribute: "id", expected: network.id, actual: null },
    ]);
    putBack();
    const now = stateOf("network.net").outputs.bridge as string;
    expect(execFileSync("ip", ["-o", "link", "show", "master", now], { encoding: "utf8" })).toContain(inspect().NetworkSettings[0].HostInterface);
  });

  it("a removed volume directory is reported missing and recreated", () => {
    const volume = stateOf("volume.data");
    rmSync(join(box.dir, "lib", "volumes", volume.id), { recursive: true, force: true });
    const report = drift();
    expect(report.code).toBe(2);
    expect(report.findings.map(brief)).toEqual([
      { address: "volume.data", type: "volume", status: "missing", attribute: "id", expected: volume.id, actual: null },
    ]);
    putBack();
    expect(readdirSync(join(box.dir, "lib", "volumes"))).toEqual([stateOf("volume.data").id]);
  });

  it("an unmanaged container carrying cinfra's labels is reported and removed", () => {
    // Started by cinfra with another state file, under this stack's name: on this host, in no state of ours.
    writeFileSync(join(box.dir, "rogue.ts"), `
import { Container, Image } from "cinfra";
const image = new Image("rogue-image", { rootfs: "./rootfs", config: { env: { PATH: "/bin" } } });
new Container("rogue", { image, command: ["sleep", "1000"], init: true, stopTimeout: 1 });
`);
    const rogueBox = { ...box, env: { ...box.env, CINFRA_STATE: rogueState } };
    expect(cinfra(rogueBox, "apply", join(box.dir, "rogue.ts"), "--stack", "shop", "--yes").code).toBe(0);
    const rogueId = JSON.parse(cinfra(rogueBox, "--stack", "shop", "state", "show", "container.rogue", "--json").stdout).id as string;
    const report = drift();
    expect(report.code).toBe(2);
    expect(report.findings.map(brief)).toEqual([
      { address: "container.rogue", type: "container", status: "unmanaged", attribute: "owner", expected: null, actual: "cinfra:shop/container/rogue" },
    ]);
    expect(report.findings[0].detail).toContain(rogueId);
    expect(putBack()).toContain("container.rogue@");
    expect(readdirSync(join(box.dir, "lib", "containers"))).not.toContain(rogueId);
  });

  it("an image name re-pointed to a new digest is reported, and image and container rebuilt on it", async () => {
    const before = stateOf("image.busybox").id;
    // What a re-import of the same name does (a tag moved): the rootfs gained a file.
    writeFileSync(join(box.dir, "rootfs", "etc", "release"), "v2\n");
    const swapped = await openImageStore(join(box.dir, "lib")).importRootfs(join(box.dir, "rootfs"), { Env: ["PATH=/bin"] });
    expect(swapped.id).not.toBe(before);
    const report = drift();
    expect(report.code).toBe(2);
    expect(report.findings.map(brief)).toEqual([
      { address: "image.busybox", type: "image", status: "changed", attribute: "digest", expected: before, actual: swapped.id },
    ]);
    putBack();
    expect(stateOf("image.busybox").id).toBe(swapped.id);
    expect(run("exec", "app", "--", "cat", "/etc/release").stdout).toBe("v2\n");
  });
});
