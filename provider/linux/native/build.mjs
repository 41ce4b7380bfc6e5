// Compiles the native container helper into dist/native/cinfra-shim (skipped when up to date).
//
// Static PIE by default (measured with bench/runtime-start.mjs, idle shims on this host):
//                      private/shim   PSS/shim at N=1 / 10 / 100   RSS
//   dynamic                 128 kB        181 / 153 / 138 kB       1.4 MB
//   static                   84 kB        616 / 137 /  89 kB       620 kB
//   static-pie               92 kB        660 / 150 /  97 kB       680 kB
// Static wins from ~10 containers on and takes the dynamic loader off the start path; PIE keeps ASLR for a
// root process that also relays untrusted traffic (proxy mode), for 8 kB. (A lone static shim counts the
// libc text it touched as its own, hence the N=1 column.) Without a static libc it links dynamically.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const FLAGS = ["-O2", "-Wall", "-Wextra", "-Werror"];

export function buildNative(packageRoot) {
  const out = join(packageRoot, "dist/native/cinfra-shim");
  const files = readdirSync(here).filter((f) => /\.(c|h|mjs)$/.test(f)).map((f) => join(here, f));
  const newest = Math.max(...files.map((f) => statSync(f).mtimeMs)); // build.mjs counts: flags live here
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return out;
  mkdirSync(dirname(out), { recursive: true });
  const cc = process.env.CC ?? "cc";
  const sources = files.filter((f) => f.endsWith(".c"));
  // Linked beside and renamed over: a container starting meanwhile runs the old binary or the new, never half of one.
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    compile(cc, sources, tmp);
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

function compile(cc, sources, out) {
  try {
    execFileSync(cc, [...FLAGS, "-static-pie", "-o", out, ...sources], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    const stderr = String(error.stderr ?? "");
    if (!/cannot find -lc\b|unrecognized command[- ]line option/.test(stderr)) {
      process.stderr.write(stderr);
      throw error;
    }
    process.stderr.write("cinfra: no static libc to link against, building the native helper dynamically\n");
    execFileSync(cc, [...FLAGS, "-o", out, ...sources], { stdio: "inherit" });
  }
}
