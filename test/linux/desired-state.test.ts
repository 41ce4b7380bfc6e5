/** desiredState: pause freezes the container (a counter stops, then resumes), stop keeps it, running starts it again. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Props, ResourceState } from "../../core/model/types.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("desiredState", () => {
  const h = new RuntimeHarness();
  let c: ResourceState;
  const ops = () => h.runtime.operations("container");
  const setState = async (desiredState: string) => {
    const inputs: Props = { ...c.inputs, desiredState };
    c = { ...c, inputs, outputs: await ops().update(h.ctx(), c, inputs) };
  };
  const lines = async () => (await h.logs(c)).trim().split("\n").length;

  beforeAll(async () => {
    const image = await h.busyboxImage();
    c = await h.create("container", "counter", {
      image: { $ref: "image.busybox" }, command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo $i; sleep 0.05; done"],
      init: true, desiredState: "running", stopTimeout: 1,
    } as never, [image]);
    await sleep(300);
  });
  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("pauses: the counter stops advancing, and resumes after", async () => {
    await setState("paused");
    expect((await ops().read(h.ctx(), c))!.props.desiredState).toBe("paused");
    const frozenAt = await lines();
    await sleep(400);
    expect(await lines()).toBe(frozenAt);
    await setState("running");
    await sleep(400);
    expect(await lines()).toBeGreaterThan(frozenAt + 3);
  });

  it("stops and starts again, keeping the container", async () => {
    const pid = (await ops().read(h.ctx(), c))!.outputs.pid;
    await setState("stopped");
    const live = (await ops().read(h.ctx(), c))!;
    expect(live.props.desiredState).toBe("stopped");
    expect(live.status).toBe("exited");
    await setState("running");
    const again = (await ops().read(h.ctx(), c))!;
    expect(again.status).toBe("running");
    expect(again.outputs.pid).not.toBe(pid);
  });
});
