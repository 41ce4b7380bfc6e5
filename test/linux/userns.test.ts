/** `userns`: root inside is an unprivileged id range on the host, over id-mapped image layers. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceState } from "../../core/model/types.js";
import { containerPaths } from "../../provider/linux/resources/container-paths.js";
import { AUTO_BASE, AUTO_SIZE } from "../../provider/linux/resources/userns.js";
import { ImageStore } from "../../provider/linux/images/store.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

describe("user namespace remapping", () => {
  const h = new RuntimeHarness();
  const run = (name: string, command: string, extra: Record<string, unknown> = {}) =>
    h.shell(name, command, { stopTimeout: 0, ...extra });

  beforeAll(async () => {
    await h.busyboxImage();
  });

  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("maps root inside to a host range of its own, and image files stay root's inside", async () => {
    const c = await run("auto", "id -u; cat /proc/self/uid_map; stat -c '%u:%g' /bin/busybox /etc /; touch /made-here && echo wrote; exec sleep 30", { userns: "auto" });
    const pid = c.outputs.pid as number;
    const hostUid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
    expect(hostUid).toBeGreaterThanOrEqual(AUTO_BASE);
    expect((hostUid - AUTO_BASE) % AUTO_SIZE).toBe(0);
    await waitFor(async () => (await h.logs(c)).includes("wrote"));
    const lines = (await h.logs(c)).trim().split("\n").map((l) => l.trim().replace(/\s+/g, " "));
    expect(lines).toEqual(["0", `0 ${hostUid} ${AUTO_SIZE}`, "0:0", "0:0", "0:0", "wrote"]);
    // What root wrote inside belongs to the range's first id on the host's disk.
    expect(statSync(join(containerPaths(h.config, c.id).upper, "made-here")).uid).toBe(hostUid);
  });

  it("takes explicit maps, gives two auto containers different ranges, and joins the namespace on exec", async () => {
    const fixed = await run("fixed", "exec sleep 30", { userns: { uidMap: [{ containerId: 0, hostId: 3_000_000, size: 1000 }], gidMap: [{ containerId: 0, hostId: 3_100_000, size: 1000 }] } });
    const status = readFileSync(`/proc/${fixed.outputs.pid}/status`, "utf8");
    expect(status).toMatch(/^Uid:\s+3000000\s/m);
    expect(status).toMatch(/^Gid:\s+3100000\s/m);
    const exec = await h.runtime.containers.exec(fixed, ["sh", "-c", "id -u; id -g; cat /proc/self/gid_map"], { stdio: "pipe" });
    expect(exec.code).toBe(0);
    expect(exec.stdout.trim().split("\n").map((l) => l.trim().replace(/\s+/g, " "))).toEqual(["0", "0", "0 3100000 1000"]);

    const a = await run("a", "exec sleep 30", { userns: "auto" });
    const b = await run("b", "exec sleep 30", { userns: "auto" });
    const uidOf = (s: ResourceState) => /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${s.outputs.pid}/status`, "utf8"))![1];
    expect(uidOf(a)).not.toBe(uidOf(b));
  });

  it("holds root inside to the namespace: no host files, no host-owned mounts, yet ports below 1024 bind", async () => {
    const c = await run("held", [
      "mkdir -p /m && (mount -t tmpfs t /m 2>/dev/null && echo mount-ok || echo mount-refused)",
      "(echo x > /proc/sysrq-trigger) 2>/dev/null && echo sysrq-ok || echo sysrq-refused",
      "(hostname other 2>/dev/null && echo hostname-ok) || echo hostname-refused",
      "(httpd -f -p 80 & sleep 0.3; kill $! 2>/dev/null && echo bind80-ok) || echo bind80-refused",
    ].join("; "), { userns: "auto", capabilities: { add: ["SYS_ADMIN"] } });
    await h.waitExit(c);
    const out = await h.logs(c);
    expect(out).toContain("mount-refused");
    expect(out).toContain("sysrq-refused");
    expect(out).toContain("hostname-refused");
    expect(out).toContain("bind80-ok");
  });

  it("commits what a remapped root wrote with the owners it saw (root, not the host range)", async () => {
    const c = await run("commit-me", "echo data > /etc/written && chown 5:6 /etc/written && touch /etc/rootfile && exec sleep 30", { userns: "auto" });
    await waitFor(async () => existsSync(join(containerPaths(h.config, c.id).upper, "etc/rootfile")));
    const { id } = await h.runtime.containers.commit(c, "cinfra-userns-commit:1");
    const images = new ImageStore(h.config.libRoot);
    const top = images.lowerDirs(images.getImage(id)!)[0];
    expect([statSync(join(top, "etc/rootfile")).uid, statSync(join(top, "etc/rootfile")).gid]).toEqual([0, 0]);
    expect([statSync(join(top, "etc/written")).uid, statSync(join(top, "etc/written")).gid]).toEqual([5, 6]);
  });

  it("gives the range back when the container goes", async () => {
    const c = await run("gone", "exec sleep 30", { userns: "auto" });
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${c.outputs.pid}/status`, "utf8"))![1];
    await h.delete(c);
    const again = await run("again", "exec sleep 30", { userns: "auto" });
    expect(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${again.outputs.pid}/status`, "utf8"))![1]).toBe(uid);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
