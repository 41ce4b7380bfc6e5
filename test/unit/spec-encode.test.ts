/** The spec handed to the native helper: token layout, arities (as native/spec.c reads them), defaults. */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../core/errors.js";
import {
  CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS, MS_RDONLY,
} from "../../provider/linux/sys/constants.js";
import { defaultContainerMounts, defaultDevices, encodeSpec, type ContainerSpec } from "../../provider/linux/supervise/spec.js";

/** Values per key, as native/spec.c consumes them. */
const ARITY: Record<string, number> = {
  id: 1, state: 1, rootfs: 1, netns: 1, hostname: 1, cwd: 1, stdout: 1, stderr: 1, ns: 1, init: 1, uid: 1, gid: 1,
  group: 1, premount: 5, mount: 5, dev: 5, symlink: 2, cgroup: 1, arg: 1, env: 1, caps: 1, nnp: 1, rootro: 1,
  mask: 1, ro: 1, rlimit: 3, sysctl: 2, seccomp: 1,
};

/** Read the buffer back the way the C parser does: a key, then its values. */
function decode(buffer: Buffer): [string, string[]][] {
  const text = buffer.toString("utf8");
  expect(text.endsWith("\0")).toBe(true);
  const tokens = text.slice(0, -1).split("\0");
  const entries: [string, string[]][] = [];
  for (let i = 0; i < tokens.length;) {
    const key = tokens[i++];
    expect(ARITY, `unknown key ${key}`).toHaveProperty(key);
    entries.push([key, tokens.slice(i, i + ARITY[key])]);
    i += ARITY[key];
    expect(i).toBeLessThanOrEqual(tokens.length);
  }
  return entries;
}

function spec(extra: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    id: "c1", stateDir: "/run/cinfra/c1", rootfs: "/var/lib/cinfra/c1/rootfs", premounts: [], mounts: [],
    devices: [], symlinks: [], namespaces: ["pid", "mnt"], cgroupProcs: [], args: ["sh"], env: [], cwd: "/",
    uid: 0, gid: 0, additionalGids: [], stdoutPath: "/log", stderrPath: "/log", init: false, ...extra,
  };
}

describe("encodeSpec", () => {
  it("writes every field as a key and its fixed number of values, in order", () => {
    const entries = decode(encodeSpec(spec({
      namespaces: ["pid", "mnt", "uts", "ipc", "net", "cgroup"], netnsPath: "/run/netns/x", hostname: "web",
      premounts: [{ source: "overlay", target: "/r", fstype: "overlay", flags: 0, data: "lowerdir=/a:/b,upperdir=/u,workdir=/w" }],
      mounts: defaultContainerMounts(), ...defaultDevices(), cgroupProcs: ["/sys/fs/cgroup/pids/x/cgroup.procs"],
      args: ["sh", "-c", "echo a  b"], env: ["A=1", "B="], cwd: "/srv", uid: 1000, gid: 100, additionalGids: [10, 20],
      init: true, capabilities: 1n << 40n, noNewPrivileges: true, readonlyRootfs: true, maskedPaths: ["/proc/kcore"],
      readonlyPaths: ["/proc/sys"], rlimits: [{ resource: 7, soft: 1024, hard: -1 }], sysctls: { "net.ipv4.ip_forward": "1" },
      seccomp: Buffer.from([0x06, 0, 0, 0, 0, 0, 0xff, 0x7f]),
    })));
    const get = (key: string) => entries.filter(([k]) => k === key).map(([, v]) => v);
    expect(get("ns")).toEqual([[String(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWCGROUP)]]);
    expect(get("premount")).toEqual([["overlay", "/r", "overlay", "0", "lowerdir=/a:/b,upperdir=/u,workdir=/w"]]);
    expect(get("mount")).toHaveLength(6);
    expect(get("dev")[0]).toEqual(["/dev/null", "c", "1", "3", String(0o666)]);
    expect(get("symlink")).toContainEqual(["pts/ptmx", "/dev/ptmx"]);
    expect(get("arg")).toEqual([["sh"], ["-c"], ["echo a  b"]]);
    expect(get("env")).toEqual([["A=1"], ["B="]]);
    expect(get("group")).toEqual([["10"], ["20"]]);
    expect(get("caps")).toEqual([[String(1n << 40n)]]);
    expect(get("rlimit")).toEqual([["7", "1024", "-1"]]);
    expect(get("sysctl")).toEqual([["net.ipv4.ip_forward", "1"]]);
    expect(get("seccomp")).toEqual([["060000000000ff7f"]]); // 8 bytes per BPF instruction, as hex
    expect(entries.map(([k]) => k)).toContain("netns");
  });

  it("leaves optional keys out when unset", () => {
    const keys = decode(encodeSpec(spec())).map(([k]) => k);
    for (const key of ["netns", "hostname", "caps", "nnp", "rootro", "mask", "ro", "rlimit", "sysctl", "seccomp", "group"]) {
      expect(keys).not.toContain(key);
    }
    expect(keys).toEqual(expect.arrayContaining(["id", "state", "rootfs", "ns", "arg", "cwd", "uid", "gid", "stdout", "stderr", "init"]));
  });

  it("passes any byte but NUL through untouched (spaces, newlines, quotes, UTF-8)", () => {
    const odd = "a b\n'\"$(x)\u00e9\u4e2d";
    const entries = decode(encodeSpec(spec({ args: ["echo", odd], env: [`X=${odd}`] })));
    expect(entries).toContainEqual(["arg", [odd]]);
    expect(entries).toContainEqual(["env", [`X=${odd}`]]);
  });

  it("rejects a NUL byte with a ValidationError naming the key", () => {
    expect(() => encodeSpec(spec({ env: ["A=x\0y"] }))).toThrow(ValidationError);
    expect(() => encodeSpec(spec({ args: ["a\0"] }))).toThrow(/container c1: arg/);
  });
});

describe("container defaults", () => {
  it("mounts proc, a /dev tmpfs, a private devpts, shm, mqueue and a read-only sysfs", () => {
    const mounts = defaultContainerMounts(1024);
    expect(mounts.map((m) => `${m.target}:${m.fstype}`)).toEqual([
      "/proc:proc", "/dev:tmpfs", "/dev/pts:devpts", "/dev/shm:tmpfs", "/dev/mqueue:mqueue", "/sys:sysfs",
    ]);
    expect(mounts.find((m) => m.fstype === "devpts")!.data).toMatch(/newinstance.*ptmxmode=0666/);
    expect(mounts.find((m) => m.target === "/dev/shm")!.data).toContain("size=1024");
    expect(mounts.find((m) => m.fstype === "sysfs")!.flags & MS_RDONLY).toBe(MS_RDONLY);
  });

  it("creates the standard character devices and the /dev symlinks", () => {
    const { devices, symlinks } = defaultDevices();
    expect(devices.map((d) => `${d.path} ${d.major}:${d.minor}`)).toEqual([
      "/dev/null 1:3", "/dev/zero 1:5", "/dev/full 1:7", "/dev/random 1:8", "/dev/urandom 1:9", "/dev/tty 5:0",
    ]);
    expect(Object.fromEntries(symlinks.map((l) => [l.linkpath, l.target]))).toEqual({
      "/dev/ptmx": "pts/ptmx", "/dev/fd": "/proc/self/fd", "/dev/stdin": "/proc/self/fd/0",
      "/dev/stdout": "/proc/self/fd/1", "/dev/stderr": "/proc/self/fd/2",
    });
  });
});
