import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Leases } from "../../provider/linux/resources/ipam.js";
import { joinNetwork, leaveNetwork, refreshHosts } from "../../provider/linux/resources/hosts.js";

const dirs: string[] = [];
const temp = () => { const d = mkdtempSync(join(tmpdir(), "cinfra-unit-")); dirs.push(d); return d; };
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("leases", () => {
  it("hands out addresses in turn, skipping the gateway, never twice, reusing a freed one last", () => {
    const leases = new Leases(temp());
    expect(leases.acquire("10.0.0.0/29", "10.0.0.1", "a")).toBe("10.0.0.2");
    expect(leases.acquire("10.0.0.0/29", "10.0.0.1", "b")).toBe("10.0.0.3");
    leases.release("10.0.0.2");
    expect(leases.acquire("10.0.0.0/29", "10.0.0.1", "c")).toBe("10.0.0.4");
    expect(leases.acquire("10.0.0.0/29", "10.0.0.1", "d")).toBe("10.0.0.5");
    expect(leases.acquire("10.0.0.0/29", "10.0.0.1", "e")).toBe("10.0.0.6");
    expect(leases.acquire("10.0.0.0/29", "10.0.0.1", "f")).toBe("10.0.0.2");
    expect(leases.heldBy("b")).toEqual(["10.0.0.3"]);
  });
  it("rejects taken, outside and exhausted addresses", () => {
    const leases = new Leases(temp());
    leases.acquire("10.0.0.0/30", "10.0.0.1", "a");
    expect(() => leases.acquire("10.0.0.0/30", "10.0.0.1", "b")).toThrow(/no free address/);
    expect(() => leases.acquire("10.0.0.0/30", "10.0.0.1", "b", "10.0.0.2")).toThrow(/already in use/);
    expect(() => leases.acquire("10.0.0.0/30", "10.0.0.1", "b", "10.9.0.2")).toThrow(/not a free host address/);
  });
});

describe("hosts files", () => {
  it("lists peers on shared networks and drops them when they leave", () => {
    const net = temp();
    const files = temp();
    const member = (id: string, ip: string) => ({
      containerId: id, name: id, ip, aliases: [`${id}-alias`], hostsFile: join(files, id), networkDirs: [net],
    });
    for (const [id, ip] of [["web", "10.0.0.2"], ["client", "10.0.0.3"]]) {
      writeFileSync(join(files, id), "");
      joinNetwork(net, member(id, ip));
    }
    refreshHosts([net]);
    expect(readFileSync(join(files, "client"), "utf8")).toContain("10.0.0.2\tweb web-alias");
    leaveNetwork(net, "web");
    refreshHosts([net]);
    expect(readFileSync(join(files, "client"), "utf8")).not.toContain("web");
  });
});
