// The native helper alone: time from startContainer() to the container command's first output, and
// stopContainer() of a PID 1 that ignores SIGTERM (SIGKILL, timeout 0), over a busybox overlay root in a
// fresh pid/mnt/uts/ipc/net/cgroup namespace set, no cgroup joined. Medians of N (default 20).
// Also an idle shim's memory with 1, 10 and 50 running (RSS, PSS and private pages from smaps_rollup).
// Run: node bench/runtime-start.mjs [N] [shims for the memory figure, default 50]
// (bench/runtime-start.ts measures the whole runtime create instead: image, cgroups, network, this.)
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// A closed pipe on stdout (`| head`) must not end the run before `finally` stops the containers.
process.stdout.on("error", (error) => { if (error.code !== "EPIPE") throw error; });
const N = Number(process.argv[2] ?? 20);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The TypeScript modules, bundled next to the repo so the helper is found from the bundle's location.
const bundle = join(root, `.bench-runtime-start-${process.pid}.mjs`);
await build({
  stdin: {
    contents: [
      'export * from "./provider/linux/supervise/start.ts";', 'export * from "./provider/linux/supervise/stop.ts";',
      'export * from "./provider/linux/supervise/spec.ts";', 'export * from "./test/helpers/busybox-rootfs.ts";',
    ].join("\n"),
    resolveDir: root, loader: "ts",
  },
  outfile: bundle, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning",
});
const { buildNative } = await import(pathToFileURL(join(root, "provider/linux/native/build.mjs")).href);
buildNative(root);
const m = await import(pathToFileURL(bundle).href);
rmSync(bundle, { force: true });

const dir = `/tmp/cinfra${m.runTag()}-bench`;
const lower = m.makeBusyboxRootfs(join(dir, "lower"));

const stateDirs = []; // every container started, stopped again in `finally` whatever happens

function spec(i) {
  const base = join(dir, `c${i}`);
  stateDirs.push(join(base, "state"));
  for (const d of ["upper", "work", "merged", "state"]) mkdirSync(join(base, d), { recursive: true });
  const { devices, symlinks } = m.defaultDevices();
  return {
    id: `bench${i}`, stateDir: join(base, "state"), rootfs: join(base, "merged"),
    premounts: [{ source: "overlay", target: join(base, "merged"), fstype: "overlay", flags: 0,
      data: `lowerdir=${lower},upperdir=${join(base, "upper")},workdir=${join(base, "work")}` }],
    mounts: m.defaultContainerMounts(), devices, symlinks, namespaces: ["pid", "mnt", "uts", "ipc", "net", "cgroup"],
    hostname: `bench${i}`, cgroupProcs: [], args: ["sh", "-c", "echo ready; exec sleep 100"], env: ["PATH=/bin"],
    cwd: "/", uid: 0, gid: 0, additionalGids: [], stdoutPath: join(base, "out.log"), stderrPath: join(base, "out.log"), init: false,
  };
}

async function waitForText(path, text) {
  for (;;) {
    try {
      if (readFileSync(path, "utf8").includes(text)) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setImmediate(r));
  }
}

function memory(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? NaN);
  return { rss: kb("Rss"), pss: kb("Pss"), private: kb("Private_Clean") + kb("Private_Dirty") };
}

/** Start `count` idle containers at once and read each shim's RSS and PSS (shared pages split among the shims). */
async function idleShims(count, offset) {
  const specs = Array.from({ length: count }, (_, i) => spec(offset + i));
  const shims = [];
  for (const s of specs) shims.push((await m.startContainer(s)).shimPid);
  const per = shims.map(memory);
  for (const s of specs) await m.stopContainer(s.stateDir, { signal: "SIGKILL", timeoutMs: 0 });
  return Object.fromEntries(["rss", "pss", "private"].map((k) => [k, median(per.map((x) => x[k]))]));
}

try {
  const starts = [];
  const reports = [];
  const stops = [];
  for (let i = 0; i < N; i++) {
    const s = spec(i);
    const t0 = performance.now();
    await m.startContainer(s);
    reports.push(performance.now() - t0);
    await waitForText(s.stdoutPath, "ready");
    starts.push(performance.now() - t0);
    const t1 = performance.now();
    await m.stopContainer(s.stateDir, { signal: "SIGKILL", timeoutMs: 0 });
    stops.push(performance.now() - t1);
  }
  console.log(`native helper, medians of ${N} (ms): start to first output ${median(starts).toFixed(1)} (startContainer resolved at ${median(reports).toFixed(1)}), stop ${median(stops).toFixed(1)}`);
  console.log("peers (ARCHITECTURE.md, same machine kind): runc run -d 43 ms, crun 10 ms");
  for (const count of [1, 10, Number(process.argv[3] ?? 50)]) {
    const idle = await idleShims(count, N + 100 * count);
    console.log(`idle shims, ${count} running: each RSS ${idle.rss} kB, PSS ${idle.pss} kB, private ${idle.private} kB`);
  }
} finally {
  for (const stateDir of stateDirs) await m.stopContainer(stateDir, { signal: "SIGKILL", timeoutMs: 0 });
  rmSync(dir, { recursive: true, force: true });
}
