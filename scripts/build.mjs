// Build: bundle the engine (dist/cli.mjs) and the SDK entry (dist/sdk.mjs) with esbuild, and compile
// the native container helper. npm ci runs this through `prepare`. Dependencies stay external.
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const common = {
  bundle: true, platform: "node", format: "esm", target: "node20", packages: "external",
  sourcemap: "linked", logLevel: "warning", absWorkingDir: root,
};

await Promise.all([
  build({ ...common, entryPoints: ["cli/main.ts"], outfile: "dist/cli.mjs" }),
  build({ ...common, entryPoints: ["core/sdk/index.ts"], outfile: "dist/sdk.mjs" }),
]);

const native = join(root, "provider/linux/native/build.mjs");
if (existsSync(native)) {
  const { buildNative } = await import(native);
  await buildNative(root);
}

// The Pulumi resource provider plugin and its SDK (provider/pulumi).
const pulumi = join(root, "provider/pulumi/build.mjs");
if (existsSync(pulumi)) {
  const { buildPulumi } = await import(pulumi);
  await buildPulumi(root);
}
