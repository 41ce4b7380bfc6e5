// Compiles the native container helper into dist/native/cinfra-shim (skipped when up to date).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export function buildNative(packageRoot) {
  const out = join(packageRoot, "dist/native/cinfra-shim");
  const sources = readdirSync(here).filter((f) => f.endsWith(".c") || f.endsWith(".h")).map((f) => join(here, f));
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return out;
  mkdirSync(dirname(out), { recursive: true });
  const cc = process.env.CC ?? "cc";
  execFileSync(cc, ["-O2", "-Wall", "-Wextra", "-Werror", "-o", out, ...sources.filter((f) => f.endsWith(".c"))], { stdio: "inherit" });
  return out;
}
