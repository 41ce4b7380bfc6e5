/** A passed-in host device is usable inside; /dev/shm has the declared size. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceState } from "../../core/model/types.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

describe("devices and shmSize", () => {
  const h = new RuntimeHarness();
  let image: ResourceState;
  beforeAll(async () => {
    image = await h.busyboxImage();
  });
  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("passes a host device in (node created, device cgroup allows it)", async () => {
    const c = await h.create("container", "dev", {
      image: { $ref: "image.busybox" }, devices: [{ path: "/dev/null", target: "/dev/passed" }],
      command: ["sh", "-c", "echo hi > /dev/passed && echo wrote; ls -l /dev/passed | cut -c1"],
    } as never, [image]);
    await h.waitExit(c);
    expect(await h.logs(c)).toBe("wrote\nc\n");
  });

  it("sizes /dev/shm", async () => {
    const c = await h.create("container", "shm", {
      image: { $ref: "image.busybox" }, shmSize: "8Mi", command: ["sh", "-c", "df -k /dev/shm | tail -1 | awk '{print $2}'"],
    } as never, [image]);
    await h.waitExit(c);
    expect((await h.logs(c)).trim()).toBe("8192");
  });
});
