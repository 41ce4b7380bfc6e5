/** A live limit change the kernel refuses (memory below usage) is a clear error and keeps the old value. */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceState } from "../../core/model/types.js";
import { SyscallError } from "../../core/errors.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

describe.runIf(readFileSync("/proc/self/mountinfo", "utf8").includes(" /sys/fs/cgroup/memory "))("cgroup v1 live update", () => {
  const h = new RuntimeHarness();
  let c: ResourceState;

  beforeAll(async () => {
    const image = await h.busyboxImage();
    // 40 MiB in tmpfs: memory that cannot be reclaimed without swap.
    c = await h.create("container", "holder", {
      image: { $ref: "image.busybox" }, command: ["sh", "-c", "dd if=/dev/zero of=/dev/shm/fill bs=1M count=40 2>/dev/null; echo filled; exec sleep 1000"],
      limits: { memory: "128Mi" }, init: true, tmpfs: [{ target: "/dev/shm", size: "100Mi" }],
    } as never, [image]);
    for (let i = 0; i < 100 && !(await h.logs(c)).includes("filled"); i++) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("refuses to go below usage with EBUSY naming the file, and keeps the old limit", async () => {
    const file = `/sys/fs/cgroup/memory/${h.config.cgroupParent}/${c.id}/memory.limit_in_bytes`;
    const update = h.runtime.operations("container").update(h.ctx(), c, { ...c.inputs, limits: { memory: "8Mi" } });
    await expect(update).rejects.toBeInstanceOf(SyscallError);
    await expect(update).rejects.toThrow(/memory\.limit_in_bytes: EBUSY/);
    expect(readFileSync(file, "utf8").trim()).toBe(String(128 * 2 ** 20));
  });

  it("writes every declared limit to its v1 file, and updates cpuset live", async () => {
    const d = await h.create("container", "tuned", {
      image: { $ref: "image.busybox" }, command: ["sleep", "1000"], init: true,
      limits: { memory: "64Mi", memoryReservation: "32Mi", cpuShares: 512, cpuset: { cpus: "0" }, pids: 50 },
    } as never, [h.createdImage()!]);
    const dir = (ctrl: string) => `/sys/fs/cgroup/${ctrl}/${h.config.cgroupParent}/${d.id}`;
    expect(readFileSync(`${dir("memory")}/memory.soft_limit_in_bytes`, "utf8").trim()).toBe(String(32 * 2 ** 20));
    expect(readFileSync(`${dir("cpu")}/cpu.shares`, "utf8").trim()).toBe("512");
    expect(readFileSync(`${dir("cpuset")}/cpuset.cpus`, "utf8").trim()).toBe("0");
    await h.runtime.operations("container").update(h.ctx(), d, { ...d.inputs, limits: { memory: "64Mi", cpuShares: 512, cpuset: { cpus: "0-1" }, pids: 50 } });
    expect(readFileSync(`${dir("cpuset")}/cpuset.cpus`, "utf8").trim()).toBe("0-1");
  });

  it("raises it live", async () => {
    await h.runtime.operations("container").update(h.ctx(), c, { ...c.inputs, limits: { memory: "256Mi" } });
    expect((await h.runtime.containers.stats(c)).memoryLimit).toBe(256 * 2 ** 20);
  });
});
