// Runs a TypeScript benchmark: bundles bench/<name>.ts with esbuild next to the repo (so packages resolve) and runs it.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [name, ...args] = process.argv.slice(2);
if (!name) {
  console.error("usage: node bench/run.mjs <benchmark> [args]");
  process.exit(2);
}
const out = join(root, `.bench-${name}-${process.pid}.mjs`);
await build({ entryPoints: [join(root, "bench", `${name}.ts`)], outfile: out, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning" });
try {
  const r = spawnSync(process.execPath, [out, ...args], { stdio: "inherit" });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(out, { force: true });
}
