/**
 * The end-to-end cycle through the real CLI on the real kernel: plan -> apply -> plan (no-op)
 * -> live memory update -> replace on command change -> destroy, leaving nothing behind.
 */
import { readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { cinfra, sandbox, type Sandbox } from "../helpers/cli.js";
import { kernelObjectsNamed, processAlive } from "../helpers/leaks.js";

interface PsRow { name: string; id: string; state: string; pid: number | null; ip: string | null }

const PORT = 20000 + Math.floor(Math.random() * 20000);

/** GET through the published port, retrying briefly while a just-started server comes up. */
async function page(): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/`, { signal: AbortSignal.timeout(2000) });
      if (res.ok || i >= 20) return await res.text();
    } catch (error) {
      if (i >= 20) throw error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stackSource(subnet: string, memory: string, webCommand: string): string {
  return `
import { Container, Image, Network, Volume } from "cinfra";
const busybox = new Image("busybox", { rootfs: "./rootfs", config: { env: { PATH: "/bin" } } });
const net = new Network("demo-net", { subnet: "${subnet}" });
const data = new Volume("demo-data");
new Container("web", {
  image: busybox,
  command: ["sh", "-c", ${JSON.stringify(webCommand)}],
  mounts: [{ volume: data, target: "/data" }],
  limits: { memory: "${memory}", cpus: 0.5, pids: 64 },
  networks: [net],
  ports: [{ host: ${PORT}, container: 8080, hostIp: "127.0.0.1" }],
  init: true,
});
new Container("client", {
  image: busybox,
  command: ["sh", "-c", "while true; do echo got: $(wget -qO- http://web:8080/ 2>&1); sleep 0.3; done"],
  networks: [net],
  init: true,
});
`;
}

const SERVE = "echo hello-from-web > /data/index.html && exec httpd -f -p 8080 -h /data";

describe("demo stack, end to end", () => {
  let box: Sandbox;
  let stack: string;
  const subnet = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.0/24`;
  const ps = (): PsRow[] => JSON.parse(cinfra(box, "ps", "--json").stdout) as PsRow[];
  const row = (name: string) => ps().find((r) => r.name === name)!;
  const pidsSeen = new Set<number>();

  beforeAll(() => {
    box = sandbox();
    makeBusyboxRootfs(join(box.dir, "rootfs"));
    stack = join(box.dir, "demo.ts");
    writeFileSync(stack, stackSource(subnet, "64Mi", SERVE));
  });

  afterAll(() => {
    cinfra(box, "destroy", stack, "--yes");
    rmSync(box.dir, { recursive: true, force: true });
    rmSync(box.runRoot, { recursive: true, force: true });
  });

  it("plans five creates with computed attributes", () => {
    const r = cinfra(box, "plan", stack, "--detailed-exitcode");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("Plan: 5 to add, 0 to change, 0 to destroy.");
    expect(r.stdout).toMatch(/\+ ipAddresses\s+= \(known after apply\)/);
    expect(r.stdout).toContain('+ limits.memory = "64Mi"');
  });

  it("applies, and the containers keep running after the command returns", () => {
    const r = cinfra(box, "apply", stack, "--yes");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("container.web: Creation complete");
    const web = row("web");
    expect(web.state).toBe("running");
    expect(web.ip).toMatch(new RegExp(`^${subnet.split(".").slice(0, 3).join("\\.")}\\.`));
    expect(processAlive(web.pid!)).toBe(true);
    pidsSeen.add(web.pid!).add(row("client").pid!);
  });

  it("plans no changes a second time", () => {
    const r = cinfra(box, "plan", stack, "--detailed-exitcode");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("No changes.");
  });

  it("the client reaches web by name over the bridge", async () => {
    let logs = "";
    for (let i = 0; i < 50 && !logs.includes("got: hello-from-web"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      logs = cinfra(box, "logs", "client").stdout;
    }
    expect(logs).toContain("got: hello-from-web");
  });

  it("publishes web's port on 127.0.0.1, and refuses a port something else holds", async () => {
    expect(await page()).toBe("hello-from-web\n");
    const other = join(box.dir, "other.ts");
    writeFileSync(other, stackSource(subnet, "64Mi", SERVE).replace('"demo-net"', '"other-net"'));
    const clash = cinfra(box, "plan", other, "--stack", "other");
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(`container.web.ports[0].host: 127.0.0.1:${PORT}/tcp is already in use on this host`);
  });

  it("updates the memory limit in place: same pid, new limit in the cgroup file", () => {
    const before = row("web");
    writeFileSync(stack, stackSource(subnet, "96Mi", SERVE));
    const p = cinfra(box, "plan", stack);
    expect(p.stdout).toContain("container.web will be updated in-place");
    expect(p.stdout).toContain('~ limits.memory = "64Mi" -> "96Mi"');
    expect(cinfra(box, "apply", stack, "--yes").code).toBe(0);
    const after = row("web");
    expect(after.pid).toBe(before.pid);
    const limitFile = `/sys/fs/cgroup/memory/${box.cgroupParent}/${after.id}/memory.limit_in_bytes`;
    expect(readFileSync(limitFile, "utf8").trim()).toBe(String(96 * 2 ** 20));
  });

  it("replaces web when its command changes", async () => {
    const before = row("web");
    writeFileSync(stack, stackSource(subnet, "96Mi", SERVE.replace("hello-from-web", "hello-again")));
    const p = cinfra(box, "plan", stack);
    expect(p.stdout).toContain("container.web must be replaced");
    expect(p.stdout).toContain("# forces replacement");
    expect(cinfra(box, "apply", stack, "--yes").code).toBe(0);
    const after = row("web");
    expect(after.state).toBe("running");
    expect(after.pid).not.toBe(before.pid);
    pidsSeen.add(after.pid!);
    expect(await page()).toBe("hello-again\n");
  });

  it("destroys everything and leaves no kernel object or process behind", async () => {
    const r = cinfra(box, "destroy", stack, "--yes");
    expect(r.code).toBe(0);
    expect(ps()).toEqual([]);
    expect(kernelObjectsNamed(`cinfra${box.tag}`)).toEqual([]);
    for (const pid of pidsSeen) expect(processAlive(pid)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${PORT}/`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow(); // the relay is gone too
    expect(existsSync(join(box.dir, "lib/volumes")) ? readdirSync(join(box.dir, "lib/volumes")) : []).toEqual([]);
  });
});
