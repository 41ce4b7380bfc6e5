// cinfra vs dockerd + docker-compose (Debian's docker.io and docker-compose), medians in one run:
//   `docker-compose up -d` of 50 services vs `cinfra apply` of the same 50 containers (image already present);
//   no-op `up -d` vs no-op `cinfra apply` of 10; `docker run -d` create+start (compare bench/runtime-start's cinfra figure).
// dockerd here is our OWN, isolated from the host: temp data/exec roots and pidfile, its own socket, no
// iptables, no bridge, containers under a cgroup parent named cinfra<tag>; it is stopped by pid at the end
// and its files and cgroups removed. Every container uses network_mode none (cinfra: network "none").
// Usage: node bench/compose.mjs [--runs 3]   (root; needs the built CLI: node scripts/build.mjs, and
//   `apt-get install -y docker.io docker-compose`, kept out of setup.sh so no daemon lands on a user's machine)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = join(fileURLToPath(import.meta.url), "../..");
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (fn) => { const t = process.hrtime.bigint(); fn(); return Number(process.hrtime.bigint() - t) / 1e9; };

const helper = join(root, `.bench-compose-${process.pid}.mjs`);
await build({
  stdin: { contents: 'export * from "./test/helpers/busybox-rootfs.ts";', resolveDir: root, loader: "ts" },
  outfile: helper, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning",
});
const { makeBusyboxRootfs, runTag } = await import(pathToFileURL(helper).href);
rmSync(helper, { force: true });

const tag = runTag();
const dir = mkdtempSync(`/tmp/cinfra${tag}-`);
const sock = join(dir, "docker.sock");
const cgroupParent = `cinfra${tag}`;
const dockerEnv = { ...process.env, DOCKER_HOST: `unix://${sock}`, COMPOSE_PROJECT_NAME: `cinfra${tag}`, DOCKER_CONFIG: join(dir, "client") };
const cinfraEnv = {
  ...process.env, CINFRA_STATE: join(dir, "state.db"), CINFRA_LIB_ROOT: join(dir, "lib"), CINFRA_RUN_ROOT: `/run/cinfra${tag}`,
  CINFRA_CGROUP_PARENT: cgroupParent, CINFRA_LINK_PREFIX: `cinfra${tag}`, CINFRA_CACHE_DIR: join(dir, "cache"), NO_COLOR: "1",
};
const sh = (cmd, args, env, input) => {
  const r = spawnSync(cmd, args, { env, input, encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
};
const docker = (...args) => sh("/usr/bin/docker", args, dockerEnv);
const compose = (file, ...args) => sh("/usr/bin/docker-compose", ["-f", file, ...args], dockerEnv);
const cinfra = (...args) => sh(process.execPath, [join(root, "bin/cinfra.mjs"), ...args], cinfraEnv);

// Paths dockerd 20.10 writes whatever its roots (trust key, plugin socket dir): removed at the end only if this run made them.
const DAEMON_LEFTOVERS = ["/etc/docker/key.json", "/run/docker/plugins", "/run/docker"].filter((p) => !existsSync(p));
let daemon = null;
async function startDockerd() {
  daemon = spawn("/usr/sbin/dockerd", [
    "--data-root", join(dir, "data"), "--exec-root", join(dir, "exec"), "--pidfile", join(dir, "docker.pid"), "-H", `unix://${sock}`,
    "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--bridge=none", `--cgroup-parent=${cgroupParent}`,
    "--exec-opt", "native.cgroupdriver=cgroupfs", "--log-level=error",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  daemon.stderr.on("data", (d) => { log += d; });
  for (let i = 0; i < 300; i++) {
    if (daemon.exitCode !== null) throw new Error(`dockerd exited ${daemon.exitCode}: ${log}`);
    if (existsSync(sock) && spawnSync("/usr/bin/docker", ["info"], { env: dockerEnv }).status === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dockerd did not answer on ${sock}: ${log}`);
}

async function stopDockerd() {
  if (!daemon || daemon.exitCode !== null) return;
  daemon.kill("SIGTERM");
  for (let i = 0; i < 200 && daemon.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  if (daemon.exitCode === null) daemon.kill("SIGKILL");
}

function composeFile(n, name) {
  const services = [...Array(n).keys()].map((i) =>
    `  s${i}:\n    image: cinfra-busybox\n    command: ["sleep", "3600"]\n    network_mode: none\n    init: true\n`).join("");
  const file = join(dir, name);
  writeFileSync(file, `version: "2.4"\nservices:\n${services}`);
  return file;
}

function stackFile(n, name) {
  const lines = ['import { Container, Image } from "cinfra";', 'const image = new Image("busybox", { rootfs: "./rootfs" });'];
  for (let i = 0; i < n; i++) lines.push(`new Container("s${i}", { image, command: ["sleep", "3600"], network: "none", init: true });`);
  const file = join(dir, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

function removeCgroups() {
  for (const controller of readdirSync("/sys/fs/cgroup")) {
    const top = join("/sys/fs/cgroup", controller, cgroupParent);
    if (!existsSync(top)) continue;
    const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name)); rmdirSync(d); };
    try { walk(top); } catch (error) { console.error(`could not remove ${top}: ${error.message}`); }
  }
}

try {
  makeBusyboxRootfs(join(dir, "rootfs"));
  await startDockerd();
  sh("bash", ["-c", 'tar -C "$1" -c . | /usr/bin/docker import - cinfra-busybox', "import", join(dir, "rootfs")], dockerEnv);

  const c50 = composeFile(50, "compose-50.yml");
  const s50 = stackFile(50, "fifty.ts");
  const image = stackFile(0, "image.ts");
  cinfra("apply", image, "--stack", "fifty", "--yes"); // the image exists beforehand on both sides
  cinfra("plan", s50, "--stack", "fifty"); // warms the stack's type-check cache, as a second plan would be
  const up50 = [], apply50 = [];
  for (let i = 0; i < RUNS; i++) {
    up50.push(seconds(() => compose(c50, "up", "-d")));
    compose(c50, "down", "-t", "0");
    apply50.push(seconds(() => cinfra("apply", s50, "--stack", "fifty", "--yes")));
    cinfra("apply", image, "--stack", "fifty", "--yes");
  }

  const c10 = composeFile(10, "compose-10.yml");
  const s10 = stackFile(10, "ten.ts");
  compose(c10, "up", "-d");
  cinfra("apply", s10, "--stack", "ten", "--yes");
  const noopUp = [], noopApply = [];
  for (let i = 0; i < Math.max(RUNS, 5); i++) {
    noopUp.push(seconds(() => compose(c10, "up", "-d")));
    noopApply.push(seconds(() => cinfra("apply", s10, "--stack", "ten", "--yes")));
  }
  compose(c10, "down", "-t", "0");
  cinfra("destroy", "--stack", "ten", "--yes");

  const run = [];
  for (let i = 0; i < 20; i++) {
    let id = "";
    run.push(seconds(() => { id = docker("run", "-d", "--network", "none", "cinfra-busybox", "sleep", "3600").trim(); }));
    docker("rm", "-f", id);
  }

  const ratio = (a, b) => `${(median(a) / median(b)).toFixed(1)}x`;
  const fmt = (xs) => `${median(xs).toFixed(3)} s`;
  console.log(`up -d / apply of 50 containers (median of ${RUNS}): docker-compose ${fmt(up50)}, cinfra ${fmt(apply50)} (compose/cinfra ${ratio(up50, apply50)})`);
  console.log(`no-op up -d / apply of 10 (median of ${noopUp.length}): docker-compose ${fmt(noopUp)}, cinfra ${fmt(noopApply)} (compose/cinfra ${ratio(noopUp, noopApply)})`);
  console.log(`docker run -d create+start (median of 20): ${(median(run) * 1000).toFixed(0)} ms (cinfra's start: node bench/runtime-start.mjs)`);
} finally {
  try { cinfra("destroy", "--stack", "fifty", "--yes"); } catch { /* nothing applied */ }
  try { cinfra("destroy", "--stack", "ten", "--yes"); } catch { /* nothing applied */ }
  if (daemon && daemon.exitCode === null) {
    spawnSync("/usr/bin/docker", ["rm", "-f", ...sh("/usr/bin/docker", ["ps", "-aq"], dockerEnv).split("\n").filter(Boolean)], { env: dockerEnv });
  }
  await stopDockerd();
  removeCgroups();
  for (const p of DAEMON_LEFTOVERS) rmSync(p, { recursive: true, force: true });
  const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")[4]).filter((m) => m?.startsWith(dir));
  for (const m of mounts.reverse()) spawnSync("umount", ["-l", m]);
  rmSync(dir, { recursive: true, force: true });
  rmSync(`/run/cinfra${tag}`, { recursive: true, force: true });
}
