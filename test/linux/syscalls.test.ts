/** Real kernel: the libc-backed Syscalls, its errors, and the per-thread namespace behaviour we rely on. */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import {
  AF_NETLINK, CLONE_NEWNET, MNT_DETACH, MS_BIND, MS_RDONLY, MS_REMOUNT, NETLINK_ROUTE, O_CLOEXEC, O_CREAT, O_EXCL,
  O_RDONLY, O_WRONLY, SIGKILL, SOCK_CLOEXEC, SOCK_RAW,
} from "../../provider/linux/sys/constants.js";
import { createSyscalls } from "../../provider/linux/sys/syscalls.js";
import { runTag } from "../helpers/busybox-rootfs.js";
import { syscallErrorOf } from "../helpers/syscall-error.js";

const sys = createSyscalls();
const dir = `/tmp/cinfra${runTag()}-syscalls`;
mkdirSync(dir, { recursive: true });

afterAll(() => {
  try {
    sys.umount2(`${dir}/mnt`, MNT_DETACH);
  } catch {
    // not mounted: the test unmounted it
  }
  rmSync(dir, { recursive: true, force: true });
  expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(dir);
});


describe("libc Syscalls", () => {
  it("is one lazily loaded instance", () => {
    expect(createSyscalls()).toBe(sys);
  });

  it("opens, creates and closes files; failures carry call, errno and path", () => {
    const fd = sys.open(`${dir}/f`, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600);
    expect(fd).toBeGreaterThan(2);
    sys.close(fd);
    expect(syscallErrorOf(() => sys.open(`${dir}/f`, O_WRONLY | O_CREAT | O_EXCL, 0o600))).toMatchObject({ call: "open", errno: 17, path: `${dir}/f` });
    expect(syscallErrorOf(() => sys.open(`${dir}/missing`, O_RDONLY))).toMatchObject({ call: "open", errno: 2, path: `${dir}/missing` });
    expect(syscallErrorOf(() => sys.close(fd))).toMatchObject({ call: "close", errno: 9 });
  });

  it("runs on Node's main thread (tid == pid)", () => {
    expect(sys.getpid()).toBe(process.pid);
    expect(sys.gettid()).toBe(process.pid);
  });

  it("bind-mounts read-only and unmounts", () => {
    mkdirSync(`${dir}/src`, { recursive: true });
    mkdirSync(`${dir}/mnt`, { recursive: true });
    writeFileSync(`${dir}/src/hello`, "hi");
    sys.mount(`${dir}/src`, `${dir}/mnt`, null, MS_BIND, null);
    sys.mount(null, `${dir}/mnt`, null, MS_BIND | MS_REMOUNT | MS_RDONLY, null);
    expect(readFileSync(`${dir}/mnt/hello`, "utf8")).toBe("hi");
    expect(syscallErrorOf(() => sys.open(`${dir}/mnt/new`, O_WRONLY | O_CREAT, 0o600))).toMatchObject({ errno: 30 }); // EROFS
    sys.umount2(`${dir}/mnt`, MNT_DETACH);
    expect(syscallErrorOf(() => sys.umount2(`${dir}/mnt`, 0))).toMatchObject({ call: "umount2", errno: 22, path: `${dir}/mnt` });
  });

  it("unshares the network namespace of this thread only, and setns brings it back", () => {
    const before = readlinkSync("/proc/thread-self/ns/net");
    const home = sys.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    try {
      sys.unshare(CLONE_NEWNET);
      expect(readlinkSync("/proc/thread-self/ns/net")).not.toBe(before);
      sys.setns(home, CLONE_NEWNET);
    } finally {
      sys.close(home);
    }
    expect(readlinkSync("/proc/thread-self/ns/net")).toBe(before);
    expect(syscallErrorOf(() => sys.setns(home, CLONE_NEWNET))).toMatchObject({ call: "setns", errno: 9 });
  });

  it("signals processes by pid and by pidfd", async () => {
    const child = spawn("sleep", ["30"]);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    const pid = child.pid ?? 0;
    sys.kill(pid, 0);
    const pidfd = sys.pidfdOpen(pid);
    try {
      sys.pidfdSendSignal(pidfd, SIGKILL);
    } finally {
      sys.close(pidfd);
    }
    expect(await exited).toBe("SIGKILL");
    expect(syscallErrorOf(() => sys.pidfdOpen(pid))).toMatchObject({ call: "pidfd_open", errno: 3 }); // ESRCH: reaped
  });

  it("speaks netlink: send a GETLINK for lo, receive its RTM_NEWLINK", () => {
    const fd = sys.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    try {
      sys.bindNetlink(fd);
      const request = Buffer.alloc(32);
      request.writeUInt32LE(32, 0); // nlmsghdr.len
      request.writeUInt16LE(18, 4); // RTM_GETLINK
      request.writeUInt16LE(1, 6); // NLM_F_REQUEST
      request.writeUInt32LE(7, 8); // seq
      request.writeInt32LE(1, 20); // ifinfomsg.index = 1 (lo)
      expect(sys.send(fd, request)).toBe(32);
      const reply = Buffer.alloc(8192);
      const length = sys.recv(fd, reply);
      expect(length).toBeGreaterThan(32);
      expect(reply.readUInt16LE(4)).toBe(16); // RTM_NEWLINK
      expect(reply.readUInt32LE(8)).toBe(7);
      expect(reply.subarray(0, length).includes(Buffer.from("lo\0"))).toBe(true);
    } finally {
      sys.close(fd);
    }
  });
});
