// End-to-end time of `cinfra plan` with no changes, on generated stacks of 1 000 and 10 000 resources
// (state in SQLite, no refresh): the whole CLI process, from spawn to exit, median of N runs.
// Targets: 1 000 resources < 0.5 s, 10 000 < 3 s, with the stack's type check cached (warm); the cold
// figure (first plan of a changed program: the TypeScript check runs) and --no-typecheck are printed too.
// Usage: node bench/plan.mjs [--runs 5] [--sizes 1000,10000] [--keep] [--cli path/to/cinfra.mjs]
// Needs the built CLI (npm run build). Touches no kernel object: plan only reads state and the program.
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

const root = join(fileURLToPath(import.meta.url), "../..");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const cli = arg("--cli", join(root, "bin/cinfra.mjs")); // another build of the CLI, to compare
const runs = Number(arg("--runs", "5"));
const sizes = arg("--sizes", "1000,10000").split(",").map(Number);
const keep = process.argv.includes("--keep"); // leave the generated stack and state for profiling
const TARGET_S = { 1000: 0.5, 10000: 3 };

/** One image, then volumes and containers in turn: each container mounts the volume before it. */
function program(n) {
  const lines = ['import { Container, Image, Volume } from "cinfra";', 'const image = new Image("base", { rootfs: "./rootfs" });'];
  for (let i = 1; i < n; i++) {
    if (i % 2 === 1) lines.push(`const v${i} = new Volume("v${i}", { labels: { app: "bench", n: "${i}" } });`);
    else {
      lines.push(`new Container("c${i}", { image, command: ["sleep", "${i}"], env: { N: "${i}", MODE: "bench" }, ` +
        `limits: { memory: "64Mi", cpus: 0.5, pids: 64 }, mounts: [{ volume: v${i - 1}, target: "/data" }], restart: "on-failure:3" });`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function refsOf(value, into = new Set()) {
  if (Array.isArray(value)) value.forEach((v) => refsOf(v, into));
  else if (value && typeof value === "object") {
    if (typeof value.$ref === "string") into.add(value.$ref);
    else Object.values(value).forEach((v) => refsOf(v, into));
  }
  return into;
}

function run(args, env) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: "utf8", maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`cinfra ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

/** State that already holds every resource exactly as the program declares it (as after an apply). */
function seedState(dir, stackFile, env) {
  // Into a file, not a pipe: the CLI exits as soon as it is done, and a pipe may not have taken everything yet.
  const out = openSync(join(dir, "plan.json"), "w");
  const r = spawnSync(process.execPath, [cli, "plan", stackFile, "--json"], { env, stdio: ["ignore", out, "pipe"], encoding: "utf8" });
  closeSync(out);
  if (r.status !== 0) throw new Error(`cinfra plan --json exited ${r.status}: ${r.stderr}`);
  const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8"));
  const db = new Database(env.CINFRA_STATE);
  const now = new Date().toISOString();
  db.transaction(() => {
    db.prepare("INSERT INTO stacks (name, lineage, serial) VALUES (?, ?, ?)").run("bench", "bench-lineage", plan.resource_changes.length);
    const insert = db.prepare("INSERT INTO resources (stack, urn, kind, name, id, inputs, outputs, depends_on, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const [i, change] of plan.resource_changes.entries()) {
      const after = change.change.after;
      insert.run("bench", change.address, change.type, change.name, `bench${i}`, JSON.stringify(after), "{}", JSON.stringify([...refsOf(after)].sort()), now);
    }
  })();
  db.close();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "cinfra-bench-plan-"));
  try {
    mkdirSync(join(dir, "rootfs"));
    const stackFile = join(dir, "bench.ts");
    writeFileSync(stackFile, program(n));
    const env = { ...process.env, CINFRA_STATE: join(dir, "state.db"), CINFRA_CACHE_DIR: join(dir, "cache"), NO_COLOR: "1" };
    seedState(dir, stackFile, env); // its plan also leaves the type check cached: the runs below are warm
    const cold = [];
    for (let i = 0; i < Math.min(runs, 3); i++) cold.push(run(["plan", stackFile], { ...env, CINFRA_CACHE_DIR: join(dir, `cold${i}`) }).seconds);
    const unchecked = [];
    for (let i = 0; i < Math.min(runs, 3); i++) unchecked.push(run(["plan", "--no-typecheck", stackFile], env).seconds);
    const times = [];
    for (let i = 0; i < runs; i++) {
      const { seconds, stdout } = run(["plan", stackFile], env);
      if (!stdout.includes("No changes")) throw new Error(`plan of ${n} resources is not a no-op:\n${stdout.slice(0, 2000)}`);
      times.push(seconds);
    }
    const m = median(times);
    const target = TARGET_S[n];
    const verdict = target === undefined ? "" : m < target ? ` (target < ${target} s: met)` : ` (target < ${target} s: MISSED)`;
    console.log(`plan, no changes, ${n} resources: median ${m.toFixed(3)} s of ${runs} runs [${times.map((t) => t.toFixed(3)).join(", ")}]${verdict}`);
    console.log(`  cold type check (nothing cached): median ${median(cold).toFixed(3)} s of ${cold.length}; --no-typecheck: median ${median(unchecked).toFixed(3)} s of ${unchecked.length}`);
  } finally {
    if (keep) console.log(`  kept ${dir}: CINFRA_STATE=${join(dir, "state.db")} node bin/cinfra.mjs plan ${join(dir, "bench.ts")}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
