/** Health checks run by the shim inside the container (Docker's semantics), shown by read/inspect, acted on by restart. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Props, ResourceState } from "../../core/model/types.js";
import { normalizeHealthcheck } from "../../core/kinds/container-lifecycle.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

describe("container health checks", () => {
  const h = new RuntimeHarness();
  // The harness takes canonical props (the planner normalizes user input): normalize the check as it would.
  const canonical = (extra: Record<string, unknown>) =>
    extra.healthcheck ? { ...extra, healthcheck: normalizeHealthcheck(extra.healthcheck, "container.test.healthcheck") } : extra;
  const run = (name: string, command: string, extra: Record<string, unknown>) =>
    h.shell(name, command, { stopTimeout: 1, ...canonical(extra) });
  const live = async (c: ResourceState) => (await h.runtime.operations("container").read(h.ctx(), c))!;
  const health = async (c: ResourceState) => (await h.runtime.containers.inspect(c)).State as {
    Health: { Status: string; FailingStreak: number; Log: { ExitCode: number; Output: string }[] };
  };
  async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (ok(v) || Date.now() > deadline) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    await h.busyboxImage();
  });
  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("turns healthy after one passing check, shown by read (ps) and inspect", async () => {
    const c = await run("ok", "exec sleep 60", { healthcheck: { cmd: "CMD-SHELL echo fine from $HOSTNAME", interval: "200ms" } });
    const state = await waitFor(() => health(c), (s) => s.Health.Status === "healthy");
    expect(state.Health).toMatchObject({ Status: "healthy", FailingStreak: 0 });
    expect(state.Health.Log[0]).toMatchObject({ ExitCode: 0, Output: "fine from ok\n" }); // ran inside: the container's env
    expect((await live(c)).outputs.health).toBe("healthy");
  });

  it("turns unhealthy after `retries` failures in a row and, with restart \"no\", keeps running", async () => {
    const c = await run("bad", "exec sleep 60", { healthcheck: { cmd: "CMD-SHELL echo failing; exit 1", interval: "200ms", retries: 2 } });
    const state = await waitFor(() => health(c), (s) => s.Health.Status === "unhealthy");
    expect(state.Health.Status).toBe("unhealthy");
    expect(state.Health.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(state.Health.Log.at(-1)).toMatchObject({ ExitCode: 1, Output: "failing\n" });
    expect((await live(c)).status).toBe("running");
  });

  it("kills a check past its timeout and counts it as a failure", async () => {
    const c = await run("slow", "exec sleep 60", { healthcheck: { cmd: ["sleep", "10"], interval: "200ms", timeout: "300ms", retries: 1 } });
    const state = await waitFor(() => health(c), (s) => s.Health.Status === "unhealthy");
    expect(state.Health.Log[0].ExitCode).toBe(-1);
    expect(state.Health.Log[0].Output).toMatch(/exceeded timeout/);
    const procs = (await h.runtime.containers.top(c)).map((p) => p.command);
    expect(procs).toEqual(["sleep 60"]); // the killed check left nothing behind
  });

  it("does not count failures within startPeriod while starting", async () => {
    const c = await run("slowstart", "sleep 1.5; touch /tmp/ready; exec sleep 60", {
      healthcheck: { cmd: "CMD-SHELL test -f /tmp/ready", interval: "200ms", retries: 1, startPeriod: "5s" },
    });
    const seen = new Set<string>();
    const state = await waitFor(async () => { const s = await health(c); seen.add(s.Health.Status); return s; }, (s) => s.Health.Status === "healthy");
    expect(state.Health.Status).toBe("healthy");
    expect([...seen]).not.toContain("unhealthy");
    expect(state.Health.Log.some((r) => r.ExitCode !== 0)).toBe(true); // it did fail, uncounted
  });

  it("stops an unhealthy container (stop signal, SIGKILL after stopTimeout) and the restart policy restarts it", async () => {
    const c = await run("flaky", "rm -f /tmp/bad; echo run; sleep 0.5; touch /tmp/bad; exec sleep 60", {
      restart: "on-failure", stopTimeout: 0.5,
      healthcheck: { cmd: "CMD-SHELL test ! -f /tmp/bad", interval: "200ms", retries: 1 },
    });
    const state = await waitFor(() => live(c), (s) => Number(s.outputs.restarts) >= 1, 15_000);
    expect(Number(state.outputs.restarts)).toBeGreaterThanOrEqual(1);
    expect(await h.logs(c)).toMatch(/^run\nrun\n/);
  });

  it("takes a health check added by a live update", async () => {
    const c = await run("later", "exec sleep 60", {});
    const props = { ...c.inputs, ...canonical({ healthcheck: { cmd: ["true"], interval: "200ms" } }) } as Props;
    await h.runtime.operations("container").update(h.ctx(), c, props);
    const updated = { ...c, inputs: props };
    const state = await waitFor(() => health(updated), (s) => s.Health.Status === "healthy");
    expect(state.Health.Status).toBe("healthy");
  });
});
