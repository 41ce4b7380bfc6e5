/**
 * Real kernel: a bridge with a gateway address, two named network namespaces, a veth per namespace
 * (host end on the bridge, peer born inside as eth0 with an address and a default route), and ping
 * between the two namespaces both ways. Teardown must leave no link, mount or netns file.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Links } from "../../provider/linux/net/links.js";
import { NetlinkSocket } from "../../provider/linux/net/netlink-socket.js";
import { createNetns, openNetns, removeNetns, withNetns } from "../../provider/linux/net/netns.js";
import { createSyscalls } from "../../provider/linux/sys/syscalls.js";
import { runTag } from "../helpers/busybox-rootfs.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

const tag = runTag();
const prefix = `cinfra${tag}`;
const dir = `/run/cinfra-${tag}-test`;
// a random /24 inside 10.200.0.0-10.250.255.0, away from anything else on this host
const subnet = `10.${200 + Math.floor(Math.random() * 51)}.${Math.floor(Math.random() * 256)}`;
const bridge = `${prefix}b0`;
const gateway = `${subnet}.1`;
const alias = `cinfra:test-${tag}/network/net`;
const members = [
  { netns: `${dir}/netns/a`, hostEnd: `${prefix}va`, ip: `${subnet}.2` },
  { netns: `${dir}/netns/b`, hostEnd: `${prefix}vb`, ip: `${subnet}.3` },
];

const sys = createSyscalls();
const links = new Links(NetlinkSocket.open(sys));

function ping(from: string, to: string): string {
  return execFileSync("nsenter", [`--net=${from}`, "busybox", "ping", "-c1", "-W2", to], { encoding: "utf8" });
}

function teardown(): void {
  for (const m of members) links.deleteLink(m.hostEnd); // removes the peer too
  links.deleteLink(bridge);
  for (const m of members) removeNetns(m.netns);
  rmSync(dir, { recursive: true, force: true });
}

beforeAll(async () => {
  links.createBridge(bridge, { alias, up: true });
  links.addAddress(bridge, `${gateway}/24`);
  for (const m of members) {
    createNetns(m.netns);
    const nsFd = openNetns(m.netns);
    try {
      links.createVeth(m.hostEnd, "eth0", { peerNetnsFd: nsFd, alias: `cinfra:test-${tag}/container/${m.ip}`, master: bridge, up: true });
    } finally {
      sys.close(nsFd);
    }
    await withNetns(m.netns, (inside) => {
      inside.addAddress("eth0", `${m.ip}/24`);
      inside.setUp("eth0");
      inside.addDefaultRoute(gateway);
    });
  }
});

afterAll(() => {
  try {
    teardown();
  } finally {
    links.socket.close();
  }
});

describe("bridge + two namespaces over raw netlink", () => {
  it("wires each namespace's eth0 to the bridge, with owner aliases on the host side", async () => {
    expect(links.getLink(bridge)).toMatchObject({ name: bridge, kind: "bridge", alias, up: true });
    expect(links.listAddresses(bridge).map((a) => a.cidr)).toContain(`${gateway}/24`);
    for (const m of members) {
      expect(links.getLink(m.hostEnd)).toMatchObject({ kind: "veth", master: bridge, up: true, alias: `cinfra:test-${tag}/container/${m.ip}` });
      const inside = await withNetns(m.netns, (l) => ({ eth0: l.getLink("eth0"), lo: l.getLink("lo"), addrs: l.listAddresses("eth0") }));
      expect(inside.eth0).toMatchObject({ kind: "veth", up: true });
      expect(inside.lo).toMatchObject({ up: true });
      expect(inside.addrs.map((a) => a.cidr)).toContain(`${m.ip}/24`);
    }
    // the peers live only in their namespaces: the host has no eth0 of ours
    expect(links.listLinks().filter((l) => l.name.startsWith(prefix)).map((l) => l.name).sort()).toEqual([bridge, ...members.map((m) => m.hostEnd)].sort());
  });

  it("routes each namespace's default route via the bridge", () => {
    const routes = execFileSync("nsenter", [`--net=${members[0].netns}`, "ip", "route"], { encoding: "utf8" });
    expect(routes).toContain(`default via ${gateway} dev eth0`);
  });

  it("pings between the namespaces both ways, and the gateway", () => {
    expect(ping(members[0].netns, members[1].ip)).toContain("1 packets received");
    expect(ping(members[1].netns, members[0].ip)).toContain("1 packets received");
    expect(ping(members[0].netns, gateway)).toContain("1 packets received");
  });

  it("leaves no link, mount or netns file after teardown", () => {
    teardown();
    expect(kernelObjectsNamed(prefix)).toEqual([]);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(dir);
    for (const m of members) expect(existsSync(m.netns)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });
});
