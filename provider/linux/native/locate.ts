/**
 * Where the native helper lives: dist/native/<name> under the package root, found by walking up from
 * this module (it runs from source under vitest and from the bundle in dist/). In a dev checkout a
 * missing binary is built on first use; elsewhere the error says how to build it.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { RuntimeError } from "../../../core/errors.js";

let cached: string | undefined;

function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Compile with provider/linux/native/build.mjs (synchronous: callers want a path, and this happens once). */
function buildInCheckout(root: string): void {
  const builder = pathToFileURL(join(root, "provider/linux/native/build.mjs")).href;
  try {
    execFileSync(process.execPath, ["--input-type=module", "-e",
      `import { buildNative } from ${JSON.stringify(builder)}; buildNative(${JSON.stringify(root)});`],
    { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new RuntimeError("NATIVE_BUILD", `building the native helper failed (needs a C compiler: apt-get install -y gcc)${stderr ? `:\n${stderr}` : ""}`, { cause: error });
  }
}

export function nativeBinary(name: string): string {
  const root = packageRoot();
  const path = root && join(root, "dist/native", name);
  if (root && path && !existsSync(path) && existsSync(join(root, "provider/linux/native/build.mjs"))) buildInCheckout(root);
  if (path && existsSync(path)) return path;
  throw new RuntimeError("NATIVE_MISSING", `${name} is not built: run "npm run build" in the cinfra package (needs a C compiler: apt-get install -y gcc)`);
}

export function shimPath(): string {
  return (cached ??= nativeBinary("cinfra-shim"));
}
