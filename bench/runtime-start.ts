/**
 * Container start latency, in one run on the same busybox rootfs: from "create" to the user command running (its
 * first output seen), and stop+delete, for cinfra's runtime and the peers that can run here (runc, crun in a private
 * mount namespace without the cgroup2 mount, podman --rootfs, a private dockerd). Medians of N runs, with ratios.
 * Every container has a 64 MiB memory and 32 pids limit. Run: node bench/run.mjs runtime-start [N=20]
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { RuntimeHarness } from "../test/helpers/runtime-harness.js";
import { OciPeer, removeCgroups, removeDir, TAG, waitForText, type Peer } from "./peers.js";
import { DockerPeer, PodmanPeer } from "./peers-daemons.js";

const N = Number(process.argv[2] ?? 20);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
type Row = { start: number; stop: number; note?: string } | { why: string };

async function benchCinfra(): Promise<Row> {
  const h = new RuntimeHarness();
  const starts: number[] = [];
  const stops: number[] = [];
  try {
    const image = await h.busyboxImage();
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const c = await h.create("container", `b${i}`, { image: { $ref: "image.busybox" }, command: ["sh", "-c", "echo ready; exec sleep 100"], init: true, limits: { memory: "64Mi", pids: 32 } } as never, [image]);
      await waitForText(join(h.config.libRoot, "containers", c.id, "stdout.raw"), "ready"); // what the program wrote, before the shim converts it
      starts.push(performance.now() - t0);
      const t1 = performance.now();
      await h.delete(c);
      stops.push(performance.now() - t1);
    }
  } finally {
    const left = await h.teardown();
    if (left.length) console.error("cinfra left behind:", left);
  }
  return { start: median(starts), stop: median(stops) };
}

async function benchPeer(peer: Peer, out: string): Promise<Row> {
  const starts: number[] = [];
  const stops: number[] = [];
  try {
    await peer.setup();
    for (let i = 0; i < N; i++) {
      const marker = join(out, `ready-${peer.name}-${i}`);
      const t0 = performance.now();
      peer.start(i, ["sh", "-c", `echo ready > /out/ready-${peer.name}-${i}; exec sleep 100`]);
      await waitForText(marker, "ready");
      starts.push(performance.now() - t0);
      const t1 = performance.now();
      peer.remove(i);
      stops.push(performance.now() - t1);
    }
    if (peer instanceof OciPeer && peer.name === "crun") {
      const wrap = peer.wrapperMs(N);
      // crun runs through `nsenter -m` for run and for delete: subtract the wrapper's own cost from each.
      return { start: median(starts) - wrap, stop: median(stops) - wrap, note: `net of the nsenter wrapper (${wrap.toFixed(1)} ms per call; raw ${median(starts).toFixed(1)} / ${median(stops).toFixed(1)})` };
    }
    return { start: median(starts), stop: median(stops) };
  } catch (error) {
    return { why: (error as Error).message.split("\n")[0] };
  } finally {
    await peer.teardown().catch((error: Error) => console.error(`${peer.name} teardown: ${error.message}`));
  }
}

const dir = `/tmp/${TAG}`;
const out = join(dir, "out");
mkdirSync(out, { recursive: true });
try {
  const rows: [string, Row][] = [["cinfra", await benchCinfra()]];
  const peers: Peer[] = [new OciPeer("runc", dir), new OciPeer("crun", dir), new PodmanPeer(dir), new DockerPeer(dir)];
  for (const peer of peers) rows.push([peer.name, await benchPeer(peer, out)]);
  const cinfra = rows[0][1] as { start: number; stop: number };
  console.log(`create+start to the user command running / stop+delete, medians of ${N} (ms); ratio = cinfra / peer`);
  console.log("runtime   start ms   stop ms   start ratio   stop ratio");
  for (const [name, r] of rows) {
    if ("why" in r) {
      console.log(`${name.padEnd(8)}  not measured: ${r.why}`);
      continue;
    }
    const ratios = name === "cinfra" ? "" : `${(cinfra.start / r.start).toFixed(2).padStart(10)}x  ${(cinfra.stop / r.stop).toFixed(2).padStart(10)}x`;
    console.log(`${name.padEnd(8)}  ${r.start.toFixed(1).padStart(8)}  ${r.stop.toFixed(1).padStart(8)}  ${ratios}${r.note ? `  (${r.note})` : ""}`);
  }
  console.log("targets: cinfra start <= runc, and <= 1.5x crun");
} finally {
  removeCgroups(TAG);
  removeDir(dir);
}
