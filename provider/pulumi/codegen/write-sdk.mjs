// Regenerates provider/pulumi/sdk/ from schema.json: `node provider/pulumi/codegen/write-sdk.mjs`.
// The generator is TypeScript, so it is bundled to a temporary module first.
import { build } from "esbuild";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "cinfra-sdkgen-"));
try {
  const out = join(tmp, "gen.mjs");
  await build({
    stdin: { contents: 'export { generateSdk } from "./generate-sdk.ts"; export { PACKAGE_SCHEMA } from "../schema.ts";', resolveDir: here, loader: "ts" },
    bundle: true, platform: "node", format: "esm", outfile: out, logLevel: "warning",
  });
  const { generateSdk, PACKAGE_SCHEMA } = await import(pathToFileURL(out).href);
  const sdkDir = join(here, "../sdk");
  mkdirSync(sdkDir, { recursive: true });
  for (const [file, text] of generateSdk(PACKAGE_SCHEMA)) writeFileSync(join(sdkDir, file), text);
  console.log(`wrote ${sdkDir}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
