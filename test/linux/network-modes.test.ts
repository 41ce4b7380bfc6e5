/** Networks on the real kernel: isolation between networks, aliases, several networks, none/host, pools, ranges. */
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Props, ResourceState } from "../../core/model/types.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

const octet = () => 200 + Math.floor(Math.random() * 50);

describe("networks", () => {
  const h = new RuntimeHarness();
  let net1: ResourceState;
  let net2: ResourceState;
  const base = `10.${octet()}.${Math.floor(Math.random() * 200)}`;
  const ipOf = (c: ResourceState, net: string) => (c.outputs.ipAddresses as Record<string, string>)[net];
  const container = (name: string, command: string, props: Props, deps: ResourceState[]) =>
    h.shell(name, command, { init: true, ...props }, deps);
  const run = async (name: string, command: string, props: Props, deps: ResourceState[]) => {
    const c = await container(name, command, props, deps);
    await h.waitExit(c);
    return h.logs(c);
  };

  beforeAll(async () => {
    await h.busyboxImage();
    net1 = await h.create("network", "net1", { subnet: `${base}.0/26` });
    net2 = await h.create("network", "net2", { subnet: `${base}.64/26` });
  });
  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("lets containers on one network reach each other both ways, by name and alias, and no one else", async () => {
    const a1 = await container("a1", "echo a1 > /tmp/index.html; exec httpd -f -p 80 -h /tmp", { networks: [{ network: { $ref: "network.net1" }, aliases: ["api"] }] }, [net1]);
    const b = await container("b", "exec sleep 100", { networks: [{ network: { $ref: "network.net2" } }] }, [net2]);
    const a2 = await run("a2", `wget -qO- http://api/; ping -c1 -W1 ${ipOf(a1, "net1")} >/dev/null && echo a1-ok; ping -c1 -W1 ${ipOf(b, "net2")} >/dev/null && echo b-reached || echo b-unreachable`,
      { networks: [{ network: { $ref: "network.net1" } }] }, [net1]);
    expect(a2).toBe("a1\na1-ok\nb-unreachable\n");
    const back = await h.runtime.containers.exec(a1, ["sh", "-c", `ping -c1 -W1 a2 >/dev/null 2>&1; ping -c1 -W1 ${ipOf(b, "net2")} >/dev/null && echo reached || echo unreachable`], { stdio: "pipe" });
    expect(back.stdout).toBe("unreachable\n");
    const fromB = await h.runtime.containers.exec(b, ["sh", "-c", `ping -c1 -W1 ${ipOf(a1, "net1")} >/dev/null && echo reached || echo unreachable`], { stdio: "pipe" });
    expect(fromB.stdout).toBe("unreachable\n");
  });

  it("attaches one container to several networks as eth0, eth1", async () => {
    const out = await run("multi", "ip -4 -o addr show | awk '{print $2, $4}' | grep eth", {
      networks: [{ network: { $ref: "network.net1" } }, { network: { $ref: "network.net2" }, ipv4: `${base}.100` }],
    }, [net1, net2]);
    expect(out).toMatch(new RegExp(`^eth0 ${base.replace(/\./g, "\\.")}\\.\\d+/26\neth1 ${base.replace(/\./g, "\\.")}\\.100/26\n$`));
  });

  it("gives network: none only loopback, and network: host the host's interfaces", async () => {
    expect(await run("isolated", "ls /sys/class/net", { network: "none" }, [])).toBe("lo\n");
    const hostIfs = readdirSync("/sys/class/net").sort();
    const seen = (await run("hostnet", "ls /sys/class/net", { network: "host" }, [])).trim().split("\n").sort();
    expect(seen).toEqual(expect.arrayContaining(hostIfs.filter((i) => !i.startsWith("cinfra"))));
  });

  it("picks a free subnet from the default pool, and honours ipRange", async () => {
    const pooled = await h.create("network", "pooled", {});
    expect(pooled.outputs.subnet).toMatch(/^10\.213\.\d+\.0\/24$/);
    const subnet = `10.${octet()}.9.0/24`;
    const withRange = await h.create("network", "withrange", { subnet, ipRange: subnet.replace(".0/24", ".128/25") });
    const c = await container("ranged-c", "exec sleep 100", { networks: [{ network: { $ref: "network.withrange" } }] }, [withRange]);
    expect(Number(ipOf(c, "withrange").split(".")[3])).toBeGreaterThanOrEqual(128);
    const p = await container("pooled-c", "exec sleep 100", { networks: [{ network: { $ref: "network.pooled" } }] }, [pooled]);
    expect(ipOf(p, "pooled")).toMatch(/^10\.213\./);
  });
});
