/** Escape attempts inside a default container (Docker-equivalent defaults): every one must be refused. */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceState } from "../../core/model/types.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";

const ATTEMPTS = [
  "mount", "umount", "pivot_root", "init_module", "finit_module", "raw_socket", "sysrq_trigger", "read_kcore",
  "mknod_block_device", "ptrace_host_process", "sethostname", "keyctl", "unshare_user", "write_sys", "write_readonly_rootfs",
];

describe("escape attempts from a default container", () => {
  const h = new RuntimeHarness();
  let image: ResourceState;

  beforeAll(async () => {
    const rootfs = makeBusyboxRootfs(join(h.dir, "probe-rootfs"));
    execFileSync("cc", ["-static", "-O2", "-o", join(rootfs, "bin/probe"), join(import.meta.dirname, "../fixtures/escape/probe.c")]);
    image = await h.create("image", "probe", { rootfs });
  });
  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("holds every attempt", async () => {
    const c = await h.create("container", "probe", {
      image: { $ref: "image.probe" }, command: ["/bin/probe", String(process.pid)], readOnlyRootfs: true,
      capabilities: { drop: ["NET_RAW"] },
    } as never, [image]);
    await h.waitExit(c);
    const lines = (await h.logs(c)).trim().split("\n");
    const held = lines.filter((l) => l.startsWith("held "));
    console.log(`escape attempts: ${lines.length} tried, ${held.length} held`);
    expect(lines.filter((l) => l.startsWith("ESCAPED"))).toEqual([]);
    expect(held.map((l) => l.split(" ")[1])).toEqual(ATTEMPTS);
  });

  it("lets a privileged container do what the default one cannot (the holds come from policy)", async () => {
    const c = await h.create("container", "privileged", {
      image: { $ref: "image.probe" }, command: ["/bin/probe", String(process.pid)], privileged: true,
    } as never, [image]);
    await h.waitExit(c);
    const out = await h.logs(c);
    for (const name of ["mount", "raw_socket", "sethostname", "keyctl"]) expect(out).toContain(`ESCAPED ${name}`);
  });

  it("with userns, root holding every capability and no seccomp filter still cannot touch the host", async () => {
    const c = await h.create("container", "remapped", {
      image: { $ref: "image.probe" }, command: ["/bin/probe", String(process.pid)], userns: "auto",
      capabilities: { add: ["ALL"] }, seccomp: "unconfined",
    } as never, [image]);
    await h.waitExit(c);
    const lines = (await h.logs(c)).trim().split("\n");
    console.log(`escape attempts with userns, all capabilities, unconfined: ${lines.length} tried, ${lines.filter((l) => l.startsWith("held ")).length} held`);
    // What still "works" stays inside: a keyring and a nested user namespace of its own, and its own
    // (writable here) root filesystem. Everything that reaches the host or its kernel is refused.
    expect(lines.filter((l) => l.startsWith("ESCAPED")).map((l) => l.split(" ")[1]).sort()).toEqual(["keyctl", "unshare_user", "write_readonly_rootfs"]);
  });

  it.runIf(existsSync(PODMAN_PROFILE))("holds every attempt under podman's default profile in Docker's format, compiled by cinfra", async () => {
    const c = await h.create("container", "podman-profile", {
      image: { $ref: "image.probe" }, command: ["/bin/probe", String(process.pid)], readOnlyRootfs: true,
      capabilities: { drop: ["NET_RAW"] }, seccomp: JSON.parse(readFileSync(PODMAN_PROFILE, "utf8")),
    } as never, [image]);
    await h.waitExit(c);
    const lines = (await h.logs(c)).trim().split("\n");
    // That profile allows keyrings and nested user namespaces on purpose (rootless nesting); Docker's refuses them.
    expect(lines.filter((l) => l.startsWith("ESCAPED"))).toEqual(["ESCAPED keyctl", "ESCAPED unshare_user"]);
    expect(lines.filter((l) => l.startsWith("held ")).map((l) => l.split(" ")[1])).toEqual(ATTEMPTS.filter((a) => a !== "keyctl" && a !== "unshare_user"));
  });

  it("applies a custom profile: its rules refuse with their errno, everything else runs", async () => {
    const c = await h.create("container", "custom-profile", {
      image: { $ref: "image.probe" }, command: ["sh", "-c", "mkdir /tmp/x 2>&1; echo still-running"],
      seccomp: { defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 13 }] },
    } as never, [image]);
    await h.waitExit(c);
    expect(await h.logs(c)).toMatch(/Permission denied\nstill-running\n$/);
  });
});

const PODMAN_PROFILE = "/usr/share/containers/seccomp.json";
