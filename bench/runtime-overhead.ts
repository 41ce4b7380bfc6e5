/**
 * Memory per running container that is not the workload, at N = 1, 10, 100 containers, as PSS and RSS from
 * /proc/<pid>/smaps_rollup: cinfra's shim (the container's parent), podman's conmon, docker's containerd shim
 * (dockerd + containerd reported apart). runc and crun leave no process per container. Run: node bench/run.mjs runtime-overhead
 * With --active, every cinfra container writes a log line every 0.5 s and has a health check every second, so each
 * shim has touched its log and health buffers (the busy case rather than the idle one).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RuntimeHarness } from "../test/helpers/runtime-harness.js";
import { removeCgroups, removeDir, TAG, type Peer } from "./peers.js";
import { DockerPeer, PodmanPeer } from "./peers-daemons.js";

const COUNTS = [1, 10, 100];
const active = process.argv.includes("--active");
const workload = active
  ? { command: ["sh", "-c", "while true; do echo tick; sleep 0.5; done"], healthcheck: { cmd: ["/bin/sh", "-c", "echo ok"], interval: "1s" } }
  : { command: ["sleep", "3600"] };

function memory(pid: number): { pss: number; rss: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  return { pss: kb("Pss"), rss: kb("Rss") };
}

function line(name: string, n: number, pids: number[], note = ""): void {
  const total = pids.map(memory).reduce((a, m) => ({ pss: a.pss + m.pss, rss: a.rss + m.rss }), { pss: 0, rss: 0 });
  console.log(`${name.padEnd(8)} ${String(n).padEnd(5)} ${(total.pss / n / 1024).toFixed(3).padStart(8)} MB  ${(total.rss / n / 1024).toFixed(3).padStart(8)} MB  ${note}`);
}

async function cinfra(): Promise<void> {
  const h = new RuntimeHarness();
  try {
    const image = await h.busyboxImage();
    const shims: number[] = [];
    for (const n of COUNTS) {
      while (shims.length < n) {
        const c = await h.create("container", `m${shims.length}`, { image: { $ref: "image.busybox" }, ...workload, init: true } as never, [image]);
        if (active && shims.length === n - 1) await new Promise((r) => setTimeout(r, 2500)); // a few checks and log batches
        shims.push(Number(readFileSync(join(h.config.runRoot, "containers", c.id, "shim"), "utf8").split(" ")[0]));
      }
      line("cinfra", n, shims, `shim per container; no daemon${active ? " (active: logging + health checks)" : ""}`);
    }
  } finally {
    const left = await h.teardown();
    if (left.length) console.error("left behind:", left);
  }
}

async function peer(p: Peer): Promise<void> {
  let started = 0;
  try {
    await p.setup();
    const pids: number[] = [];
    for (const n of COUNTS) {
      for (; started < n; started++) {
        p.start(started, ["sleep", "3600"]);
        pids.push(...p.overheadPids(started));
      }
      line(p.name, n, pids, p.sharedNote());
    }
  } catch (error) {
    console.log(`${p.name.padEnd(8)} not measured: ${(error as Error).message.split("\n")[0]}`);
  } finally {
    for (let i = 0; i < started; i++) {
      try {
        p.remove(i);
      } catch {
        // teardown removes what is left
      }
    }
    await p.teardown();
  }
}

const dir = `/tmp/${TAG}`;
mkdirSync(join(dir, "out"), { recursive: true });
try {
  console.log("runtime  N     PSS/container  RSS/container");
  await cinfra();
  await peer(new PodmanPeer(dir));
  await peer(new DockerPeer(dir));
  console.log("runc, crun: 0 MB (the runtime exits once the container runs; nothing supervises it)");
  console.log("target: cinfra <= 0.5 MB per container at N=100");
} finally {
  removeCgroups(TAG);
  removeDir(dir);
}
