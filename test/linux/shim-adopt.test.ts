/**
 * Supervisor crash and re-adoption: the shim is killed with SIGKILL (by its exact pid from <state>/shim); the
 * container runs on, its output is kept, and the next state read (what `cinfra ps` does) starts an adopting
 * shim that records the next exit and applies the restart policy.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceState } from "../../core/model/types.js";
import { containerPaths } from "../../provider/linux/resources/container-paths.js";
import { readHealth } from "../../provider/linux/supervise/health.js";
import { processStartTime } from "../../provider/linux/supervise/process-info.js";
import { readContainerStatus, shimAlive } from "../../provider/linux/supervise/status.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** "<pid> <ticks> …" of a state file, checked to still name that very process before anything is sent to it. */
function ownProcess(stateDir: string, file: "shim" | "pid"): number {
  const [pid, ticks] = readFileSync(join(stateDir, file), "utf8").trim().split(" ").map(Number);
  expect(processStartTime(pid)).toBe(ticks);
  return pid;
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

describe("shim crash and re-adoption", () => {
  const h = new RuntimeHarness();
  let image: ResourceState;
  const live = async (c: ResourceState) => (await h.runtime.operations("container").read(h.ctx(), c))!;
  const texts = async (c: ResourceState) => (await h.logs(c)).trim().split("\n");

  beforeAll(async () => {
    image = await h.busyboxImage();
  });
  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("keeps the container and its output through a shim SIGKILL, re-adopts it, records its exit and restarts it", async () => {
    const c = await h.create("container", "survivor", {
      image: { $ref: "image.busybox" }, restart: "on-failure", stopTimeout: 1, healthcheck: { cmd: ["true"], interval: "200ms" },
      command: ["sh", "-c", "i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.05; done"],
    } as never, [image]);
    const { stateDir } = containerPaths(h.config, c.id);
    while ((await texts(c)).length < 3 || readHealth(stateDir)?.Status !== "healthy") await sleep(20);

    const shim = ownProcess(stateDir, "shim");
    const pid = ownProcess(stateDir, "pid");
    process.kill(shim, "SIGKILL");
    while (shimAlive(stateDir)) await sleep(10);
    await sleep(500); // output written while nobody converts it
    expect(processStartTime(pid)).not.toBeNull(); // the container runs on

    const state = await live(c); // what `cinfra ps` reads: adopts
    expect(state.status).toBe("running");
    const adopter = ownProcess(stateDir, "shim");
    expect(adopter).not.toBe(shim);
    expect(state.outputs.health).toBe("healthy"); // kept through the adoption, not "starting" again
    const adoptedAt = new Date().toISOString();
    await sleep(200);
    const lines = await texts(c);
    expect(lines.length).toBeGreaterThan(10);
    expect(lines).toEqual(lines.map((_, i) => `tick${i}`)); // nothing lost, nothing repeated
    for (let i = 0; i < 100 && !(readHealth(stateDir)?.Log ?? []).some((r) => r.Start > adoptedAt); i++) await sleep(20);
    const health = readHealth(stateDir)!; // the adopter runs the checks
    expect(health.Status).toBe("healthy");
    expect(health.Log.filter((r) => r.Start > adoptedAt).map((r) => r.ExitCode)).toContain(0);

    process.kill(pid, "SIGKILL"); // the adopted container's PID 1 dies: the adopter records it and restarts it
    for (let i = 0; i < 200 && readContainerStatus(stateDir).restarts < 1; i++) await sleep(25);
    const exit = JSON.parse(readFileSync(join(stateDir, "exit"), "utf8"));
    expect(exit).toMatchObject({ code: null, signal: 9, restarts: 0 });
    const after = await live(c);
    expect(after.status).toBe("running");
    expect(after.outputs.restarts).toBe(1);
    const restarted = ownProcess(stateDir, "pid");
    expect(restarted).not.toBe(pid);
    expect(parentOf(restarted)).toBe(adopter); // a restart is the adopter's own child
    expect(ownProcess(stateDir, "shim")).toBe(adopter);
  });

  it("records the exit of a container that died while it had no shim, and applies the restart policy", async () => {
    const c = await h.create("container", "orphan", {
      image: { $ref: "image.busybox" }, restart: "always", stopTimeout: 1,
      command: ["sh", "-c", "echo started; exec sleep 60"],
    } as never, [image]);
    const { stateDir } = containerPaths(h.config, c.id);
    const shim = ownProcess(stateDir, "shim");
    const pid = ownProcess(stateDir, "pid");
    process.kill(shim, "SIGKILL");
    while (shimAlive(stateDir)) await sleep(10);
    process.kill(pid, "SIGKILL");
    while (processStartTime(pid) !== null) await sleep(10);

    await live(c); // adopts: the dead run gets its exit recorded, then the policy restarts it
    for (let i = 0; i < 200 && readContainerStatus(stateDir).restarts < 1; i++) await sleep(25);
    const after = await live(c);
    expect(after.status).toBe("running");
    expect(after.outputs.restarts).toBe(1);
    expect(await texts(c)).toEqual(["started", "started"]);
  });

  it("acts on unhealthy for an adopted container: stop through the pidfd, then the restart policy", async () => {
    const c = await h.create("container", "sickly", {
      image: { $ref: "image.busybox" }, restart: "on-failure", stopTimeout: 0.5,
      healthcheck: { cmd: ["/bin/sh", "-c", "test ! -f /tmp/bad"], interval: "200ms", retries: 1 },
      command: ["sh", "-c", "rm -f /tmp/bad; echo run; exec sleep 60"],
    } as never, [image]);
    const { stateDir } = containerPaths(h.config, c.id);
    process.kill(ownProcess(stateDir, "shim"), "SIGKILL");
    while (shimAlive(stateDir)) await sleep(10);
    await live(c); // adopted
    expect((await h.runtime.containers.exec(c, ["touch", "/tmp/bad"], { stdio: "pipe" })).code).toBe(0);
    for (let i = 0; i < 200 && readContainerStatus(stateDir).restarts < 1; i++) await sleep(25);
    expect(JSON.parse(readFileSync(join(stateDir, "exit"), "utf8"))).toMatchObject({ signal: 9, restarts: 0 }); // SIGTERM ignored by PID 1
    for (let i = 0; i < 100 && (await texts(c)).length < 2; i++) await sleep(25);
    expect(await texts(c)).toEqual(["run", "run"]);
  });
});
