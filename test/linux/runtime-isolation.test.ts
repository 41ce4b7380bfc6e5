/** The runtime on the real kernel: PID 1 and private process view, hostname, limits enforced, bridge traffic. */
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceState } from "../../core/model/types.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

describe("container isolation and limits", () => {
  const h = new RuntimeHarness();
  let image: ResourceState;
  let net: ResourceState;
  const subnet = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}.0/24`;
  const run = (name: string, command: string, extra: Record<string, unknown> = {}) =>
    h.shell(name, command, extra);

  beforeAll(async () => {
    image = await h.busyboxImage();
    net = await h.create("network", "net", { subnet });
  });

  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("runs the program as PID 1, seeing only its own processes", async () => {
    const c = await run("pid1", "echo pid=$$; ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\\n' ' '");
    await h.waitExit(c);
    const out = await h.logs(c);
    expect(out).toContain("pid=1");
    const pids = out.split("\n")[1].trim().split(" ").map(Number);
    expect(Math.max(...pids)).toBeLessThan(10);
  });

  it("has its own hostname and leaves the host's alone", async () => {
    const plain = await run("named", "hostname; hostname changed-inside || echo refused", { hostname: "box1" });
    // With CAP_SYS_ADMIN the container may rename its own UTS namespace, still never the host.
    const admin = await run("admin", "hostname changed-inside && hostname", { hostname: "box2", capabilities: { add: ["SYS_ADMIN"] } });
    await h.waitExit(plain);
    await h.waitExit(admin);
    expect(await h.logs(plain, "stdout")).toBe("box1\nrefused\n"); // the refusal itself went to stderr
    expect(await h.logs(admin)).toBe("changed-inside\n");
    expect(hostname()).not.toBe("changed-inside");
  });

  it("OOM-kills a memory hog at its limit", async () => {
    const c = await run("hog", "exec dd if=/dev/zero of=/dev/null bs=64M count=1", { limits: { memory: "16Mi" } });
    const exit = await h.waitExit(c);
    expect(exit.exitCode).toBe(137); // SIGKILL from the OOM killer
    expect(await h.logs(c)).not.toContain("records out");
  });

  it("stops a fork loop at the pids limit", async () => {
    const c = await run("forks", "for i in $(seq 1 30); do sleep 3 & done 2>&1; wait; echo done", { limits: { pids: 8 } });
    await h.waitExit(c);
    expect(await h.logs(c)).toMatch(/can't fork|Resource temporarily unavailable/);
  });

  it("lets two containers on one bridge reach each other by IP and by name", async () => {
    const server = await h.create("container", "server", {
      image: { $ref: "image.busybox" }, command: ["sh", "-c", "echo hello > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"],
      networks: [{ network: { $ref: "network.net" } }], init: true,
    } as never, [image, net]);
    const ip = (server.outputs.ipAddresses as Record<string, string>).net;
    const client = await h.create("container", "client", {
      image: { $ref: "image.busybox" }, networks: [{ network: { $ref: "network.net" } }],
      command: ["sh", "-c", `sleep 0.3; ping -c1 -W2 ${ip} >/dev/null && echo ping-ok; wget -qO- http://server:8080/`],
    } as never, [image, net]);
    await h.waitExit(client);
    const out = await h.logs(client);
    expect(out).toContain("ping-ok");
    expect(out).toContain("hello");
  });
});
