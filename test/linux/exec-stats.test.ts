/** exec joins a running container (namespaces, cgroup, env, user); stats read its cgroup. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceState } from "../../core/model/types.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

describe("exec and stats", () => {
  const h = new RuntimeHarness();
  let c: ResourceState;

  beforeAll(async () => {
    const image = await h.busyboxImage();
    c = await h.create("container", "target", {
      image: { $ref: "image.busybox" }, command: ["sh", "-c", "echo marker > /tmp/inside; exec sleep 1000"],
      env: { GREETING: "hi" }, hostname: "target-host", limits: { memory: "48Mi", pids: 20 }, init: true,
    } as never, [image]);
  });
  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("runs a command in the container's namespaces with its env", async () => {
    await new Promise((r) => setTimeout(r, 100));
    const r = await h.runtime.containers.exec(c, ["sh", "-c", "cat /tmp/inside; hostname; echo $GREETING; ps | wc -l; cat /proc/self/cgroup | head -1"], { stdio: "pipe" });
    expect(r.code).toBe(0);
    const [marker, host, greeting, procs] = r.stdout.split("\n");
    expect([marker, host, greeting]).toEqual(["marker", "target-host", "hi"]);
    expect(Number(procs)).toBeLessThan(10); // its own pid namespace: init, sleep, this shell, ps
  });

  it("returns the command's exit code", async () => {
    expect((await h.runtime.containers.exec(c, ["sh", "-c", "exit 7"], { stdio: "pipe" })).code).toBe(7);
  });

  it("reports cgroup usage against the limit", async () => {
    const stats = await h.runtime.containers.stats(c);
    expect(stats.memoryLimit).toBe(48 * 2 ** 20);
    expect(stats.memoryUsage).toBeGreaterThan(0);
    expect(stats.pidsCurrent).toBeGreaterThanOrEqual(2);
  });
});
