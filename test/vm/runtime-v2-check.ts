/**
 * Runs inside the cgroup-v2 VM: a real container on cinfra's runtime with limits in the unified
 * hierarchy (PID 1, OOM kill at memory.max, live update), then a destroy that leaves nothing.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { RuntimeHarness } from "../helpers/runtime-harness.js";
import { checkDevices, checkDevicesFreed } from "./devices-v2-check.js";

const h = new RuntimeHarness();
const image = await h.busyboxImage();
const c = await h.create("container", "web", {
  image: { $ref: "image.busybox" }, command: ["sh", "-c", "echo pid=$$; exec sleep 30"], limits: { memory: "32Mi", cpus: 0.5, pids: 16 }, init: true,
} as never, [image]);
const cg = `/sys/fs/cgroup/${h.config.cgroupParent}/${c.id}`;
assert.equal(readFileSync(`${cg}/memory.max`, "utf8").trim(), String(32 * 2 ** 20));
assert.equal(readFileSync(`${cg}/cpu.max`, "utf8").trim(), "50000 100000");
console.log("ok limits in the unified hierarchy");
await new Promise((r) => setTimeout(r, 500));
assert.match(await h.logs(c), /pid=2/); // init: true makes cinfra's init PID 1, the program its first child
console.log("ok own pid namespace");
await h.runtime.operations("container").update(h.ctx(), c, { ...c.inputs, limits: { memory: "48Mi", cpus: 0.5, pids: 16 } });
assert.equal(readFileSync(`${cg}/memory.max`, "utf8").trim(), String(48 * 2 ** 20));
console.log("ok live memory update");
const hog = await h.create("container", "hog", {
  image: { $ref: "image.busybox" }, command: ["sh", "-c", "exec dd if=/dev/zero of=/dev/null bs=64M count=1"], limits: { memory: "16Mi" },
} as never, [image]);
const exit = await h.waitExit(hog, 60_000);
assert.equal(exit.exitCode, 137);
console.log("ok OOM kill at memory.max");
const devicePrograms = await checkDevices(h, image);
const left = await h.teardown();
assert.deepEqual(left, []);
assert.equal(existsSync(cg), false);
await checkDevicesFreed(devicePrograms);
console.log("ok destroy left nothing");
