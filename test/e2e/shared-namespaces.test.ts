/** `network: { container }`, `ipc: { container }` and `pid: { container }` through the real CLI on real namespaces. */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { cinfra, sandbox, type Sandbox } from "../helpers/cli.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

const stackSource = (webGreeting: string) => `
import { Container, Image, Network } from "cinfra";
const image = new Image("busybox", { rootfs: "./rootfs", config: { env: { PATH: "/bin" } } });
const net = new Network("front", { subnet: "10.242.3.0/24" });
const web = new Container("web", {
  image, networks: [net], restart: "always",
  command: ["sh", "-c", "mkdir -p /www && echo ${webGreeting} > /www/index.html && exec httpd -f -p 8080 -h /www"],
});
new Container("side", { image, network: { container: web }, ipc: { container: web }, command: ["sleep", "1000"] });
new Container("peer", { image, pid: { container: web }, command: ["sleep", "1001"], restart: "always" });
`;

async function until(done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("shared namespaces", () => {
  let box: Sandbox;
  let stack: string;
  const namespacesOf = (name: string) => (JSON.parse(cinfra(box, "inspect", name).stdout)[0].Namespaces as Record<string, string>);

  beforeAll(() => {
    box = sandbox();
    makeBusyboxRootfs(join(box.dir, "rootfs"));
    stack = join(box.dir, "shared.ts");
    writeFileSync(stack, stackSource("hello"));
    const applied = cinfra(box, "apply", stack, "--yes");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
  });

  afterAll(() => {
    expect(cinfra(box, "destroy", stack, "--yes").code).toBe(0);
    expect(kernelObjectsNamed(`cinfra${box.tag}`)).toEqual([]);
    rmSync(box.dir, { recursive: true, force: true });
    rmSync(box.runRoot, { recursive: true, force: true });
  });

  it("the sharer sees the owner's interfaces and reaches its server on 127.0.0.1", () => {
    expect(namespacesOf("side").net).toBe(namespacesOf("web").net);
    const links = (name: string) => cinfra(box, "exec", name, "--", "ip", "-o", "addr").stdout.replace(/^\d+: /gm, "");
    expect(links("side")).toBe(links("web"));
    expect(links("side")).toContain("10.242.3.");
    expect(cinfra(box, "exec", "side", "--", "wget", "-qO-", "http://127.0.0.1:8080/").stdout).toBe("hello\n");
    expect(cinfra(box, "exec", "side", "--", "hostname").stdout).toBe("web\n");
  });

  it("the sharer is in the owner's IPC namespace and keeps its own pid and mount namespaces", () => {
    const side = namespacesOf("side");
    const web = namespacesOf("web");
    expect(side.ipc).toBe(web.ipc);
    expect(side.pid).not.toBe(web.pid);
    expect(side.mnt).not.toBe(web.mnt);
  });

  it("the pid sharer is in the owner's pid namespace: ps and /proc show the owner's processes", () => {
    const peer = namespacesOf("peer");
    const web = namespacesOf("web");
    expect(peer.pid).toMatch(/^pid:\[\d+\]$/);
    expect(peer.pid).toBe(web.pid);
    expect(peer.mnt).not.toBe(web.mnt);
    expect(peer.net).not.toBe(web.net);
    // PID 1 there is the owner's httpd; the sharer's own program has a higher pid in the same namespace.
    expect(cinfra(box, "exec", "peer", "--", "cat", "/proc/1/cmdline").stdout.split("\0")).toContain("httpd");
    const ps = cinfra(box, "exec", "peer", "--", "ps", "-o", "pid,args");
    expect(ps.stdout).toMatch(/^\s*1\s+httpd -f -p 8080/m);
    expect(ps.stdout).toMatch(/^\s*\d+\s+sleep 1001/m);
    // And the owner sees the sharer's program in turn.
    expect(cinfra(box, "exec", "web", "--", "ps", "-o", "args").stdout).toContain("sleep 1001");
    const config = JSON.parse(cinfra(box, "inspect", "peer").stdout)[0].HostConfig;
    expect(config).toEqual({ NetworkMode: "none", IpcMode: "private", PidMode: "container:web", UsernsMode: "host" });
    expect(JSON.parse(cinfra(box, "inspect", "side").stdout)[0].HostConfig).toEqual({ NetworkMode: "container:web", IpcMode: "container:web", PidMode: "", UsernsMode: "host" });
  });

  it("after an owner restart a pid sharer rejoins its new pid namespace, and an IPC sharer in the old one is drift", async () => {
    const inspect = (name: string) => JSON.parse(cinfra(box, "inspect", name).stdout)[0];
    const old = inspect("web").State.Pid as number;
    const oldIpc = namespacesOf("web").ipc;
    process.kill(old, "SIGKILL"); // its shim restarts it: a new process, new pid and IPC namespaces
    await until(() => inspect("web").State.Status === "running" && inspect("web").State.Pid !== old);
    // The pid namespace died with the owner's PID 1, taking the sharer's program along; its shim restarted it
    // into the owner's new pid namespace.
    await until(() => inspect("peer").State.Status === "running" && namespacesOf("peer").pid === namespacesOf("web").pid);
    expect(cinfra(box, "exec", "peer", "--", "cat", "/proc/1/cmdline").stdout).toContain("httpd");
    // The IPC sharer kept running in the old IPC namespace (as with Docker): drift names it.
    expect(namespacesOf("side").ipc).toBe(oldIpc);
    const drift = cinfra(box, "drift", stack, "--json");
    expect(drift.code).toBe(2);
    const findings = (JSON.parse(drift.stdout).stacks[0].findings as { address: string; attribute: string; status: string; expected: string; actual: string }[])
      .filter((f) => f.status === "changed");
    expect(findings).toEqual([expect.objectContaining({
      address: "container.side", attribute: "ipc.container", expected: namespacesOf("web").ipc, actual: oldIpc,
    })]);
    // apply --refresh replaces the sharer, which then joins the owner's current IPC namespace.
    const refreshed = cinfra(box, "apply", stack, "--refresh", "--yes");
    expect(refreshed.code).toBe(0);
    expect(refreshed.stdout).toMatch(/container\.side must be replaced/);
    expect(namespacesOf("side").ipc).toBe(namespacesOf("web").ipc);
    expect(cinfra(box, "drift", stack).code).toBe(0);
  });

  it("replacing the owner replaces its sharer, which then joins the new owner", () => {
    writeFileSync(stack, stackSource("again"));
    const plan = cinfra(box, "plan", stack);
    expect(plan.stdout).toMatch(/container\.side must be replaced/);
    expect(plan.stdout).toMatch(/network\.container.*container\.web is replaced/);
    expect(plan.stdout).toMatch(/container\.peer must be replaced/);
    expect(plan.stdout).toMatch(/pid\.container.*container\.web is replaced/);
    expect(cinfra(box, "apply", stack, "--yes").code).toBe(0);
    expect(namespacesOf("side").net).toBe(namespacesOf("web").net);
    expect(namespacesOf("peer").pid).toBe(namespacesOf("web").pid);
    expect(cinfra(box, "exec", "peer", "--", "cat", "/proc/1/cmdline").stdout).toContain("httpd");
    expect(cinfra(box, "exec", "side", "--", "wget", "-qO-", "http://127.0.0.1:8080/").stdout).toBe("again\n");
  });
});
