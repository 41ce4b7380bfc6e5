/** Real kernel: link lifecycle over raw netlink in the host namespace, and the errors it reports. */
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ValidationError } from "../../core/errors.js";
import { Links } from "../../provider/linux/net/links.js";
import { NetlinkSocket } from "../../provider/linux/net/netlink-socket.js";
import { runTag } from "../helpers/busybox-rootfs.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";
import { syscallErrorOf } from "../helpers/syscall-error.js";

const prefix = `cinfra${runTag()}`;
const links = new Links(NetlinkSocket.open());
const subnet = `10.${200 + Math.floor(Math.random() * 51)}.${Math.floor(Math.random() * 256)}`;

afterEach(() => {
  for (const link of links.listLinks()) if (link.name.startsWith(prefix)) links.deleteLink(link.name);
});

afterAll(() => {
  links.socket.close();
  expect(kernelObjectsNamed(prefix)).toEqual([]);
});


describe("Links", () => {
  it("creates a bridge with mtu and owner alias, and reads it back", () => {
    links.createBridge(`${prefix}b`, { mtu: 1400, alias: "cinfra:s/network/n" });
    expect(links.getLink(`${prefix}b`)).toMatchObject({ name: `${prefix}b`, kind: "bridge", mtu: 1400, alias: "cinfra:s/network/n", up: false, master: null });
    links.setUp(`${prefix}b`);
    expect(links.getLink(`${prefix}b`)?.up).toBe(true);
    expect(links.listLinks().find((l) => l.name === `${prefix}b`)?.alias).toBe("cinfra:s/network/n");
  });

  it("reports a duplicate link as EEXIST with the operation and the name", () => {
    links.createBridge(`${prefix}b`);
    const error = syscallErrorOf(() => links.createBridge(`${prefix}b`));
    expect(error).toMatchObject({ code: "SYSCALL", call: "RTM_NEWLINK", errno: 17, path: `${prefix}b` });
    expect(error.message).toContain("EEXIST");
  });

  it("passes the kernel's extended-ack explanation along", () => {
    const error = syscallErrorOf(() => links.createBridge(`${prefix}m`, { mtu: 10 }));
    expect(error).toMatchObject({ call: "RTM_NEWLINK", errno: 22, path: `${prefix}m` });
    expect(error.message).toMatch(/mtu/i);
  });

  it("creates a veth pair in one namespace, aliasing both ends, and attaches it to a bridge", () => {
    links.createBridge(`${prefix}b`, { up: true });
    links.createVeth(`${prefix}h`, `${prefix}p`, { alias: "cinfra:s/container/c", mtu: 1450 });
    links.setMaster(`${prefix}h`, `${prefix}b`);
    expect(links.getLink(`${prefix}h`)).toMatchObject({ kind: "veth", master: `${prefix}b`, mtu: 1450, alias: "cinfra:s/container/c" });
    expect(links.getLink(`${prefix}p`)).toMatchObject({ kind: "veth", master: null, alias: "cinfra:s/container/c" });
    links.deleteLink(`${prefix}h`);
    expect(links.getLink(`${prefix}p`)).toBeNull(); // one end takes the other with it
  });

  it("brings the host end up and attaches it in the create request itself", () => {
    links.createBridge(`${prefix}b`);
    links.createVeth(`${prefix}h`, `${prefix}p`, { up: true, master: `${prefix}b` });
    expect(links.getLink(`${prefix}h`)).toMatchObject({ up: true, master: `${prefix}b`, alias: null });
    expect(links.getLink(`${prefix}p`)).toMatchObject({ up: false, master: null });
    expect(() => links.createVeth(`${prefix}x`, `${prefix}y`, { master: `${prefix}none` })).toThrow(expect.objectContaining({ errno: 19, path: `${prefix}none` }));
    expect(links.getLink(`${prefix}x`)).toBeNull();
  });

  it("adds and lists addresses; a duplicate address is EEXIST naming it", () => {
    links.createBridge(`${prefix}b`);
    links.addAddress(`${prefix}b`, `${subnet}.1/24`);
    expect(links.listAddresses(`${prefix}b`)).toEqual([{ family: 4, address: `${subnet}.1`, prefixLength: 24, cidr: `${subnet}.1/24` }]);
    const error = syscallErrorOf(() => links.addAddress(`${prefix}b`, `${subnet}.1/24`));
    expect(error).toMatchObject({ call: "RTM_NEWADDR", errno: 17, path: `${subnet}.1/24 dev ${prefix}b` });
  });

  it("returns null for missing links, deletes idempotently, and names the link in ENODEV errors", () => {
    expect(links.getLink(`${prefix}none`)).toBeNull();
    links.deleteLink(`${prefix}none`);
    expect(syscallErrorOf(() => links.setUp(`${prefix}none`))).toMatchObject({ call: "RTM_SETLINK", errno: 19, path: `${prefix}none` });
    expect(syscallErrorOf(() => links.addAddress(`${prefix}none`, "10.200.0.1/24"))).toMatchObject({ errno: 19, path: `${prefix}none` });
  });

  it("rejects names the kernel cannot hold before asking it", () => {
    expect(() => links.createBridge(`${prefix}waytoolongname`)).toThrow(ValidationError);
    expect(() => links.createBridge("a/b")).toThrow(ValidationError);
  });

  it("sees the host's loopback without an alias or kind", () => {
    expect(links.getLink("lo")).toMatchObject({ name: "lo", kind: null, up: true, master: null });
  });
});
