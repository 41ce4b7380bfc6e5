/** Real kernel: named network namespaces, and the toggle always bringing the main thread home. */
import { existsSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { RuntimeError, SyscallError } from "../../core/errors.js";
import { createNetns, insideNamespace, openNetns, removeNetns, withNetns } from "../../provider/linux/net/netns.js";
import { recordingSyscalls } from "../../provider/linux/sys/recording-syscalls.js";
import { CLONE_NEWNET, O_CLOEXEC, O_RDONLY } from "../../provider/linux/sys/constants.js";
import { createSyscalls } from "../../provider/linux/sys/syscalls.js";
import { runTag } from "../helpers/busybox-rootfs.js";

const base = `/run/cinfra-${runTag()}-test`;
const dir = `${base}/netns`;
const sys = createSyscalls();
const ownNetns = (): string => readlinkSync("/proc/thread-self/ns/net");
const home = ownNetns();

afterAll(() => {
  for (const name of ["a", "b", "c"]) removeNetns(`${dir}/${name}`);
  rmSync(base, { recursive: true, force: true });
  expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(dir);
  expect(existsSync(base)).toBe(false);
});

describe("named network namespaces", () => {
  it("pins a new namespace on a file with lo up, and leaves the thread where it was", async () => {
    createNetns(`${dir}/a`);
    expect(ownNetns()).toBe(home);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).toContain(`${dir}/a`);
    const inside = await withNetns(`${dir}/a`, (links) => links.listLinks().map((l) => ({ name: l.name, up: l.up })));
    expect(inside).toEqual([{ name: "lo", up: true }]);
    expect(ownNetns()).toBe(home);
  });

  it("runs synchronous work inside a namespace and comes back even when it throws", () => {
    const fd = openNetns(`${dir}/a`);
    try {
      const seen = insideNamespace(sys, fd, () => ownNetns());
      expect(seen).not.toBe(home);
      expect(() => insideNamespace(sys, fd, () => { throw new Error("boom"); })).toThrow("boom");
      expect(ownNetns()).toBe(home);
    } finally {
      sys.close(fd);
    }
  });

  it("refuses an existing path with EEXIST naming it", () => {
    let error: unknown;
    try {
      createNetns(`${dir}/a`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SyscallError);
    expect(error).toMatchObject({ call: "open", errno: 17, path: `${dir}/a` });
  });

  it("returns home and cleans up when the bind mount fails", () => {
    const recorder = recordingSyscalls(sys);
    recorder.failOn("mount", 1 /* EPERM */);
    expect(() => createNetns(`${dir}/b`, recorder.syscalls)).toThrow(SyscallError);
    expect(ownNetns()).toBe(home);
    expect(existsSync(`${dir}/b`)).toBe(false);
    expect(recorder.calls.map((c) => c.name)).toEqual(["open", "close", "open", "unshare", "mount", "setns", "close"]);
  });

  it("reports a failed return trip as NETNS_RESTORE", () => {
    const homeFd = sys.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    try {
      const recorder = recordingSyscalls(sys);
      recorder.failOn("setns", 9 /* EBADF */);
      expect(() => createNetns(`${dir}/c`, recorder.syscalls)).toThrow(RuntimeError);
      // the faked failure skipped the real setns, so this thread really is stranded: go home by hand
      expect(ownNetns()).not.toBe(home);
      sys.setns(homeFd, CLONE_NEWNET);
    } finally {
      sys.close(homeFd);
    }
    expect(ownNetns()).toBe(home);
    expect(existsSync(`${dir}/c`)).toBe(false);
  });

  it("removes a namespace idempotently", () => {
    removeNetns(`${dir}/a`);
    removeNetns(`${dir}/a`);
    expect(existsSync(`${dir}/a`)).toBe(false);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(`${dir}/a`);
  });
});
