// Bundles the Pulumi plugin (dist/pulumi-provider.mjs) and the Pulumi SDK (dist/pulumi-sdk.mjs and
// .cjs, for ESM and CommonJS programs) with esbuild; dependencies stay external, so a program and the
// SDK share one @pulumi/pulumi. scripts/build.mjs calls this; the plugin's launcher too when dist/ lacks it.
import { build } from "esbuild";
import { join } from "node:path";

export async function buildPulumi(root) {
  const common = {
    bundle: true, platform: "node", target: "node20", packages: "external",
    sourcemap: "linked", logLevel: "warning", absWorkingDir: root,
  };
  await Promise.all([
    build({ ...common, format: "esm", entryPoints: ["provider/pulumi/main.ts"], outfile: join(root, "dist/pulumi-provider.mjs") }),
    build({ ...common, format: "esm", entryPoints: ["provider/pulumi/sdk/index.ts"], outfile: join(root, "dist/pulumi-sdk.mjs") }),
    build({ ...common, format: "cjs", entryPoints: ["provider/pulumi/sdk/index.ts"], outfile: join(root, "dist/pulumi-sdk.cjs") }),
  ]);
}
