// `cinfra drift` over N running containers (default 100, on one bridge network, each with a memory limit):
// the check itself (duration_ms in the JSON report: state load, every container's process, cgroup limits,
// veths, image holders, unmanaged scan) and the whole CLI process, median of R runs. Target: the check of
// 100 containers < 0.3 s (drift runs every few seconds in the reconcile loop).
// Usage: sudo node bench/drift.mjs [--containers 100] [--runs 10] [--keep]
// Needs the built CLI (npm run build) and root. Every kernel object is named cinfra<tag>… and removed at the end.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "../..");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const N = Number(arg("--containers", "100"));
const RUNS = Number(arg("--runs", "10"));
const keep = process.argv.includes("--keep"); // leave the containers running, to profile drift against them
const TARGET_S = 0.3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const tag = Math.random().toString(36).slice(2, 5);
const dir = `/tmp/cinfra${tag}-bench-drift`;
const env = {
  ...process.env, NO_COLOR: "1", CINFRA_STATE: join(dir, "state.db"), CINFRA_LIB_ROOT: join(dir, "lib"),
  CINFRA_RUN_ROOT: `/run/cinfra${tag}`, CINFRA_CGROUP_PARENT: `cinfra${tag}`, CINFRA_LINK_PREFIX: `cinfra${tag}`,
};

function cinfra(...args) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(root, "bin/cinfra.mjs"), ...args], { env, encoding: "utf8", maxBuffer: 1 << 28 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function busyboxRootfs(at) {
  for (const d of ["bin", "etc", "tmp", "proc", "sys", "dev"]) mkdirSync(join(at, d), { recursive: true });
  copyFileSync("/bin/busybox", join(at, "bin/busybox"));
  for (const applet of ["sh", "sleep"]) symlinkSync("busybox", join(at, "bin", applet));
  writeFileSync(join(at, "etc/passwd"), "root:x:0:0:root:/:/bin/sh\n");
}

function program() {
  const lines = [
    'import { Container, Image, Network } from "cinfra";',
    'const image = new Image("busybox", { rootfs: "./rootfs", config: { env: { PATH: "/bin" } } });',
    'const net = new Network("bench", { subnet: "10.214.0.0/23" });',
  ];
  for (let i = 0; i < N; i++) {
    lines.push(`new Container("c${i}", { image, command: ["sleep", "100000"], init: true, stopTimeout: 1, limits: { memory: "16Mi", pids: 16 }, networks: [net] });`);
  }
  return `${lines.join("\n")}\n`;
}

mkdirSync(dir, { recursive: true });
const stack = join(dir, "bench.ts");
try {
  busyboxRootfs(join(dir, "rootfs"));
  writeFileSync(stack, program());
  const applied = cinfra("apply", stack, "--yes", "--parallelism", "8");
  if (applied.code !== 0) throw new Error(`apply failed: ${applied.stderr}`);
  console.log(`${N} containers running (apply took ${applied.seconds.toFixed(1)} s)`);

  const check = [];
  const whole = [];
  for (let i = 0; i < RUNS; i++) {
    const r = cinfra("drift", "--json");
    if (r.code !== 0) throw new Error(`drift exited ${r.code}: ${r.stderr || r.stdout.slice(0, 2000)}`);
    const report = JSON.parse(r.stdout);
    if (report.stacks[0].resources !== N + 2) throw new Error(`checked ${report.stacks[0].resources} resources`);
    check.push(report.duration_ms / 1000);
    whole.push(r.seconds);
  }
  const withProgram = [];
  for (let i = 0; i < Math.min(RUNS, 5); i++) withProgram.push(cinfra("drift", stack, "--json").seconds);
  const m = median(check);
  console.log(`drift check of ${N} running containers: median ${(m * 1000).toFixed(1)} ms (min ${(Math.min(...check) * 1000).toFixed(1)}, max ${(Math.max(...check) * 1000).toFixed(1)}) ` +
    `-> ${m < TARGET_S ? "within" : "OVER"} the ${TARGET_S} s target`);
  console.log(`whole CLI process (cinfra drift --json): median ${median(whole).toFixed(3)} s`);
  console.log(`with the program loaded too (cinfra drift bench.ts --json): median ${median(withProgram).toFixed(3)} s`);
} finally {
  if (keep) {
    console.log(`kept for profiling: state ${env.CINFRA_STATE}, tag cinfra${tag}; "cinfra destroy ${stack} --yes" with that env removes it`);
    process.exit(0);
  }
  const destroyed = cinfra("destroy", stack, "--yes", "--parallelism", "8");
  if (destroyed.code !== 0) console.error(`destroy failed: ${destroyed.stderr}`);
  rmSync(dir, { recursive: true, force: true });
  rmSync(`/run/cinfra${tag}`, { recursive: true, force: true });
  const links = execFileSync("ip", ["-o", "link"], { encoding: "utf8" }).split("\n").filter((l) => l.includes(`cinfra${tag}`));
  const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(`cinfra${tag}`));
  if (links.length || mounts.length) console.error(`LEFT BEHIND: ${[...links, ...mounts].join("\n")}`);
}
