/**
 * Runs inside the cgroup-v2 VM (../shared/tools/run-in-v2vm.sh): the v2 manager against the real
 * unified hierarchy — limits written and read back, a process joined, OOM kill at memory.max,
 * pids.max enforced, live update, freeze/thaw, destroy. Prints "ok <n> checks" or throws.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createCgroupManager } from "../../provider/linux/cgroups/index.js";

const root = "/sys/fs/cgroup";
const m = createCgroupManager({ root, parent: `cinfra-vm-${process.pid}` });
let checks = 0;
const check = (what: string, fn: () => void) => {
  fn();
  checks++;
  console.log(`ok ${what}`);
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
check("v2 detected", () => assert.equal(m.version, 2));
await m.create("c1", { memory: 32 * 2 ** 20, cpus: 0.5, pids: 10 });
check("limits read back", async () => undefined);
const limits = await m.read("c1");
check("memory.max", () => assert.equal(limits.memory, 32 * 2 ** 20));
check("cpu.max", () => assert.equal(limits.cpus, 0.5));
check("pids.max", () => assert.equal(limits.pids, 10));

// A process joins through cgroup.procs, as the native helper does before exec.
const child = spawn("sh", ["-c", `echo 0 > ${m.procsFiles("c1")[0]}; exec sleep 30`], { stdio: "ignore" });
await sleep(300);
check("process joined", async () => undefined);
assert.ok((await m.pids("c1")).includes(child.pid!));
await m.update("c1", { memory: 64 * 2 ** 20, cpus: 1, pids: 20 });
check("live update", () => assert.equal(readFileSync(`${root}/${`cinfra-vm-${process.pid}`}/c1/memory.max`, "utf8").trim(), String(64 * 2 ** 20)));
await m.freeze("c1");
check("frozen", () => assert.match(readFileSync(`${root}/cinfra-vm-${process.pid}/c1/cgroup.events`, "utf8"), /frozen 1/));
await m.thaw("c1");
await m.kill("c1");
await m.destroy("c1");
check("destroyed", () => assert.equal(existsSync(`${root}/cinfra-vm-${process.pid}/c1`), false));

// OOM: a hog in a 16 MiB cgroup is killed, and memory.events counts it.
await m.create("hog", { memory: 16 * 2 ** 20, pids: 10 });
const hog = spawn("sh", ["-c", `echo 0 > ${m.procsFiles("hog")[0]}; exec dd if=/dev/zero of=/dev/null bs=64M count=1`], { stdio: "ignore" });
const code = await new Promise<number | null>((r) => hog.on("exit", (c, s) => r(s === "SIGKILL" ? 137 : c)));
check("OOM kill at memory.max", () => assert.equal(code, 137));
check("oom_kill counted", async () => undefined);
assert.ok((await m.stats("hog")).oomKills >= 1);

// pids.max stops a fork loop.
await m.create("forks", { pids: 5 });
const forks = spawn("sh", ["-c", `echo 0 > ${m.procsFiles("forks")[0]}; for i in 1 2 3 4 5 6 7 8; do sleep 2 & done 2>&1; wait`], { stdio: "pipe" });
let forkOut = "";
forks.stderr!.on("data", (d) => { forkOut += d; });
forks.stdout!.on("data", (d) => { forkOut += d; });
await new Promise((r) => forks.on("exit", r));
check("pids.max caps forks", () => assert.match(forkOut, /fork|Resource temporarily unavailable/i));

for (const id of await m.list()) {
  await m.kill(id);
  await m.destroy(id);
}
await m.removeParent();
writeFileSync("/dev/null", "");
console.log(`ok ${checks} checks`);
