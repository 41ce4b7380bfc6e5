/**
 * Memory per running container that is not the workload: the shim (the container's parent) measured as
 * PSS and RSS from /proc/<pid>/smaps_rollup, at N = 1, 10, 100 containers. Run: node bench/run.mjs runtime-overhead
 * With --active, every container writes a log line every 0.5 s and has a health check every second, so each shim
 * has touched its log and health buffers (the busy case rather than the idle one).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RuntimeHarness } from "../test/helpers/runtime-harness.js";

function memory(pid: number): { pss: number; rss: number } {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? 0);
  return { pss: kb("Pss"), rss: kb("Rss") };
}

const active = process.argv.includes("--active");
const props = active
  ? { command: ["sh", "-c", "while true; do echo tick; sleep 0.5; done"], healthcheck: { cmd: ["/bin/sh", "-c", "echo ok"], interval: "1s" } }
  : { command: ["sleep", "3600"] };
const h = new RuntimeHarness();
try {
  const image = await h.busyboxImage();
  const shims: number[] = [];
  let created = 0;
  console.log(`${active ? "active (logging + health checks)" : "idle"} containers`);
  console.log("N     shim PSS/container   shim RSS/container");
  for (const n of [1, 10, 100]) {
    for (; created < n; created++) {
      const c = await h.create("container", `m${created}`, { image: { $ref: "image.busybox" }, ...props, init: true } as never, [image]);
      if (active && created === n - 1) await new Promise((r) => setTimeout(r, 2500)); // a few checks and log batches
      shims.push(Number(readFileSync(join(h.config.runRoot, "containers", c.id, "shim"), "utf8").split(" ")[0]));
    }
    const total = shims.map(memory).reduce((a, m) => ({ pss: a.pss + m.pss, rss: a.rss + m.rss }), { pss: 0, rss: 0 });
    console.log(`${String(n).padEnd(5)} ${(total.pss / n / 1024).toFixed(3).padStart(8)} MB          ${(total.rss / n / 1024).toFixed(3).padStart(8)} MB`);
  }
  console.log("target: <= 0.5 MB per container at N=100 (a Node supervisor measured 0.45 MB/container in ARCHITECTURE.md)");
} finally {
  const left = await h.teardown();
  if (left.length) console.error("left behind:", left);
}
