import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RuntimeError } from "../../../core/errors.js";

let cached: string | undefined;

/** dist/native/<name> under the package root (found from this module, whether bundled in dist/ or run from source). */
export function nativeBinary(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "dist/native", name);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, "package.json"))) break;
    dir = dirname(dir);
  }
  throw new RuntimeError("NATIVE_MISSING", `${name} is not built: run "npm run build" (needs a C compiler: apt-get install -y gcc)`);
}

export function shimPath(): string {
  return (cached ??= nativeBinary("cinfra-shim"));
}
