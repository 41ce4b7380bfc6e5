/**
 * Log throughput: a container copies a 64 MiB file of 100-byte lines to its stdout (through the shim: raw file,
 * CRI conversion, rotation at the default 20Mi x 5) versus to a file of its own (direct). Each run is timed from
 * the start to the exit record, which the shim writes only after converting the last byte. Medians of 5.
 * Run: node bench/run.mjs log-throughput
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readContainerStatus } from "../provider/linux/supervise/status.js";
import { containerPaths } from "../provider/linux/resources/container-paths.js";
import { RuntimeHarness } from "../test/helpers/runtime-harness.js";

const MB = 64;
const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const h = new RuntimeHarness();
try {
  const image = await h.busyboxImage();
  const dataDir = join(h.dir, "data");
  mkdirSync(dataDir, { recursive: true });
  const line = `${"x".repeat(99)}\n`;
  writeFileSync(join(dataDir, "lines.txt"), line.repeat((MB * 2 ** 20) / 100));
  const mounts = [{ hostPath: dataDir, target: "/data", readOnly: true }];
  const time = async (name: string, script: string) => {
    const c = await h.create("container", name, { image: { $ref: "image.busybox" }, command: ["sh", "-c", script], mounts } as never, [image]);
    const stateDir = containerPaths(h.config, c.id).stateDir;
    let status = readContainerStatus(stateDir);
    while (status.state !== "exited") {
      await new Promise((r) => setTimeout(r, 5));
      status = readContainerStatus(stateDir);
    }
    await h.delete(c);
    return (status.finishedAt! - status.startedAt!) / 1000;
  };
  const through: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    through.push(await time(`shim${i}`, "cat /data/lines.txt"));
    direct.push(await time(`direct${i}`, "cat /data/lines.txt > /tmp/out; rm /tmp/out"));
  }
  const t = median(through);
  const d = median(direct);
  console.log(`${MB} MiB of 100-byte lines, median of ${RUNS}`);
  console.log(`through the shim (CRI log, rotated)  ${t.toFixed(3)} s  ${(MB / t).toFixed(0)} MB/s`);
  console.log(`direct to a file in the container    ${d.toFixed(3)} s  ${(MB / d).toFixed(0)} MB/s`);
  console.log(`ratio shim/direct                    ${(t / d).toFixed(2)}x`);
} finally {
  const left = await h.teardown();
  if (left.length) console.error("left behind:", left);
}
