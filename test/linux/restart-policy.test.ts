/** Restart policies, applied by each container's shim with back-off, and exit codes that are never lost. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceState } from "../../core/model/types.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

describe("restart policies", () => {
  const h = new RuntimeHarness();
  const run = (name: string, command: string, restart?: string) =>
    h.shell(name, command, restart ? { restart } : {});
  const live = async (c: ResourceState) => (await h.runtime.operations("container").read(h.ctx(), c))!;

  beforeAll(async () => {
    await h.busyboxImage();
  });
  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("does not restart with the default policy, and records the exit code", async () => {
    const c = await run("once", "echo run; exit 3");
    const exit = await h.waitExit(c);
    expect(exit).toMatchObject({ status: "exited", exitCode: 3, restarts: 0 });
    expect(await h.logs(c)).toBe("run\n");
  });

  it("restarts on failure up to the maximum, with back-off", async () => {
    const c = await run("flaky", "echo run; exit 4", "on-failure:2");
    for (let i = 0; i < 100 && (await live(c)).outputs.restarts !== 2; i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 600));
    const state = await live(c);
    expect(state.status).toBe("exited");
    expect(state.outputs).toMatchObject({ exitCode: 4, restarts: 2 });
    expect(await h.logs(c)).toBe("run\nrun\nrun\n");
  });

  it("always restarts until stopped, and a stop is final", async () => {
    const c = await run("always", "echo run; sleep 0.05", "always");
    for (let i = 0; i < 100 && Number((await live(c)).outputs.restarts) < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(Number((await live(c)).outputs.restarts)).toBeGreaterThanOrEqual(2);
    await h.delete(c);
    expect(await h.runtime.operations("container").read(h.ctx(), c)).toBeNull();
  });

  it("takes a live update of the policy", async () => {
    const c = await run("updated", "echo run; sleep 0.1; exit 1", "always");
    await h.runtime.operations("container").update(h.ctx(), c, { ...c.inputs, restart: "no" });
    const exit = await h.waitExit(c);
    expect(exit.status).toBe("exited");
    const restarts = Number(exit.restarts);
    await new Promise((r) => setTimeout(r, 400));
    expect((await live(c)).outputs.restarts).toBe(restarts);
  });
});
