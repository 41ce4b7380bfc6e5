/**
 * Container start latency: from "create" to the user command's first output, and stop+delete,
 * for cinfra's runtime and (when installed) runc and crun on the same busybox rootfs, in one run.
 * Prints medians over N runs and ratios. Run: node bench/run.mjs runtime-start [N]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RuntimeHarness } from "../test/helpers/runtime-harness.js";
import { makeBusyboxRootfs } from "../test/helpers/busybox-rootfs.js";

const N = Number(process.argv[2] ?? 20);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function waitForFile(path: string, text: string): Promise<void> {
  for (;;) {
    try {
      if (readFileSync(path, "utf8").includes(text)) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setImmediate(r));
  }
}

async function benchCinfra(): Promise<{ start: number; stop: number }> {
  const h = new RuntimeHarness();
  const image = await h.busyboxImage();
  const starts: number[] = [];
  const stops: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    const c = await h.create("container", `b${i}`, { image: { $ref: "image.busybox" }, command: ["sh", "-c", "echo ready; exec sleep 100"], init: true, limits: { memory: "64Mi", pids: 32 } } as never, [image]);
    await waitForFile(join(h.config.libRoot, "containers", c.id, "stdout.raw"), "ready"); // what the program wrote, before the shim converts it
    starts.push(performance.now() - t0);
    const t1 = performance.now();
    await h.delete(c);
    stops.push(performance.now() - t1);
  }
  await h.teardown();
  return { start: median(starts), stop: median(stops) };
}

/** An OCI bundle over the same rootfs, for runc and crun. */
function bundle(dir: string, tool: string): string {
  const b = join(dir, tool);
  mkdirSync(b, { recursive: true });
  makeBusyboxRootfs(join(b, "rootfs"));
  execFileSync(tool, ["spec"], { cwd: b });
  const spec = JSON.parse(readFileSync(join(b, "config.json"), "utf8"));
  spec.process.terminal = false;
  spec.process.args = ["sh", "-c", "echo ready > /tmp/ready; exec sleep 100"];
  spec.root.readonly = false;
  writeFileSync(join(b, "config.json"), JSON.stringify(spec));
  return b;
}

async function benchOci(tool: string, dir: string): Promise<{ start: number; stop: number } | null> {
  if (spawnSync("which", [tool]).status !== 0) return null;
  const b = bundle(dir, tool);
  const starts: number[] = [];
  const stops: number[] = [];
  for (let i = 0; i < N; i++) {
    const id = `cinfrabench-${tool}-${process.pid}-${i}`;
    rmSync(join(b, "rootfs/tmp/ready"), { force: true });
    const t0 = performance.now();
    const r = spawnSync(tool, ["run", "-d", "--bundle", b, id], { stdio: "ignore" });
    if (r.status !== 0) return null;
    await waitForFile(join(b, "rootfs/tmp/ready"), "ready");
    starts.push(performance.now() - t0);
    const t1 = performance.now();
    spawnSync(tool, ["delete", "-f", id], { stdio: "ignore" });
    stops.push(performance.now() - t1);
  }
  return { start: median(starts), stop: median(stops) };
}

const dir = `/tmp/cinfrabench-${process.pid}`;
mkdirSync(dir, { recursive: true });
try {
  const cinfra = await benchCinfra();
  const peers: Record<string, { start: number; stop: number } | null> = {
    runc: await benchOci("runc", dir),
    crun: await benchOci("crun", dir),
  };
  console.log(`container start to first output / stop+delete, medians of ${N} (ms)`);
  console.log(`cinfra  start ${cinfra.start.toFixed(1)}  stop ${cinfra.stop.toFixed(1)}`);
  for (const [name, r] of Object.entries(peers)) {
    if (!r) console.log(`${name.padEnd(6)} not available`);
    else console.log(`${name.padEnd(6)} start ${r.start.toFixed(1)}  stop ${r.stop.toFixed(1)}  (cinfra/${name}: start ${(cinfra.start / r.start).toFixed(2)}x, stop ${(cinfra.stop / r.stop).toFixed(2)}x)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (existsSync(dir)) console.error(`left ${dir}`);
}
