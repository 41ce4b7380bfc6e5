/** The shim as the container's parent: init mode, stop, status, and life after the starter exits. */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { prepareContainer, startContainer } from "../../provider/linux/supervise/start.js";
import { readContainerStatus } from "../../provider/linux/supervise/status.js";
import { stopContainer } from "../../provider/linux/supervise/stop.js";
import { processStartTime } from "../../provider/linux/supervise/process-info.js";
import { ShimSandbox } from "./shim-fixture.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** Parent pid of a process (field 4 of /proc/<pid>/stat). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

describe("native container helper: supervision", () => {
  const box = new ShimSandbox();

  afterAll(async () => {
    expect(await box.teardown()).toEqual({ processes: [], mounts: [] });
  });

  it("init mode: SIGTERM stops `sleep 1000` through the init (no SIGKILL needed)", async () => {
    const spec = box.spec(["sleep", "1000"], { init: true });
    const { pid } = await startContainer(spec);
    expect(readContainerStatus(spec.stateDir)).toMatchObject({ state: "running", pid });
    await stopContainer(spec.stateDir, { signal: "SIGTERM", timeoutMs: 30_000 });
    // 143 = 128 + SIGTERM, passed on by the init; a SIGKILL fallback would have recorded signal 9
    expect(readContainerStatus(spec.stateDir)).toMatchObject({ state: "exited", exitCode: 143, signal: null });
  });

  it("without init, PID 1 ignores SIGTERM and stop falls back to SIGKILL after the timeout", async () => {
    const spec = box.spec(["sleep", "1000"]);
    await startContainer(spec);
    await stopContainer(spec.stateDir, { signal: "SIGTERM", timeoutMs: 300 });
    expect(readContainerStatus(spec.stateDir)).toMatchObject({ state: "exited", signal: 9 });
  });

  it("init mode forwards other signals and exits with the program's status", async () => {
    const spec = box.spec(["sh", "-c", "trap 'echo got USR1; exit 7' USR1; echo ready; while :; do sleep 0.05; done"], { init: true });
    const { pid } = await startContainer(spec);
    await box.waitOutput(spec, "ready");
    process.kill(pid, "SIGUSR1");
    expect(await box.waitExit(spec)).toMatchObject({ state: "exited", exitCode: 7 });
    expect(box.log(spec)).toBe("ready\ngot USR1\n");
  });

  it("init mode reaps orphaned zombies", async () => {
    // Three orphans re-parented to PID 1 exit at once; poll (bounded) until none is left as a zombie.
    const script = "for i in 1 2 3; do (sleep 0 &); done; for i in $(seq 100); do ps -o stat | grep -q Z || { echo clean; exit 0; }; sleep 0.05; done; ps -o pid,stat,comm";
    const spec = box.spec(["sh", "-c", script], { init: true });
    await startContainer(spec);
    expect(await box.waitExit(spec)).toMatchObject({ exitCode: 0 });
    expect(box.log(spec)).toBe("clean\n");
  });

  it("init mode: PID 1 holds no more privilege than the program (capabilities, no_new_privs)", async () => {
    const spec = box.spec(["grep", "-E", "^(CapEff|CapBnd|NoNewPrivs)", "/proc/1/status", "/proc/self/status"], {
      init: true, capabilities: 1n << 5n /* CAP_KILL */, noNewPrivileges: true,
    });
    await startContainer(spec);
    await box.waitExit(spec);
    const expected = ["CapEff:\t0000000000000020", "CapBnd:\t0000000000000020", "NoNewPrivs:\t1"];
    expect(box.log(spec).trim().split("\n")).toEqual([
      ...expected.map((l) => `/proc/1/status:${l}`), ...expected.map((l) => `/proc/self/status:${l}`),
    ]);
  });

  it("keeps running after the process that started it exits", async () => {
    const spec = box.spec(["sleep", "1000"]);
    const starter = join(box.dir, "starter.mjs");
    await build({
      stdin: {
        contents: `import { startContainer } from "./provider/linux/supervise/start.ts";
          const started = await startContainer(JSON.parse(process.argv[2]));
          console.log(JSON.stringify({ ...started, self: process.pid }));`,
        resolveDir: ROOT, loader: "ts",
      },
      // the helper is found from the module's own location: give the bundle the source's
      define: { "import.meta.url": JSON.stringify(pathToFileURL(join(ROOT, "provider/linux/native/locate.ts")).href) },
      outfile: starter, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning",
    });
    const run = spawnSync(process.execPath, [starter, JSON.stringify(spec)], { encoding: "utf8", timeout: 30_000 });
    expect(run.stderr).toBe("");
    const started = JSON.parse(run.stdout) as { pid: number; shimPid: number; self: number };
    // The starter has exited; the container runs on, a child of its shim, which is nobody's child but init's.
    expect(readContainerStatus(spec.stateDir)).toMatchObject({ state: "running", pid: started.pid });
    expect(parentOf(started.pid)).toBe(started.shimPid);
    expect([started.self, process.pid]).not.toContain(parentOf(started.shimPid));
    await stopContainer(spec.stateDir, { signal: "SIGKILL", timeoutMs: 0 });
    expect(readContainerStatus(spec.stateDir)).toMatchObject({ state: "exited", signal: 9 });
  });

  it("stop is idempotent: on an exited container, twice, and on a state dir that never existed", async () => {
    const spec = box.spec(["true"]);
    await startContainer(spec);
    await box.waitExit(spec);
    const before = readContainerStatus(spec.stateDir);
    await stopContainer(spec.stateDir);
    await stopContainer(spec.stateDir);
    expect(readContainerStatus(spec.stateDir)).toEqual(before);
    await expect(stopContainer(join(box.dir, "never-created"))).resolves.toBeUndefined();
  });

  it("status: created before the start, and never mistakes a reused pid for the container", () => {
    const spec = box.spec(["true"]);
    prepareContainer(spec);
    expect(readContainerStatus(spec.stateDir)).toMatchObject({ state: "created", pid: null });
    // A pid file naming a live process (this one) with another start time: the container is gone, not running.
    const dir = join(box.dir, "reused");
    mkdirSync(dir);
    writeFileSync(join(dir, "pid"), `${process.pid} ${processStartTime(process.pid)! + 1} 0 ${Date.now()}\n`);
    expect(readContainerStatus(dir)).toMatchObject({ state: "dead", pid: null });
    writeFileSync(join(dir, "pid"), `${process.pid} ${processStartTime(process.pid)} 0 ${Date.now()}\n`);
    expect(readContainerStatus(dir)).toMatchObject({ state: "running", pid: process.pid });
  });
});
