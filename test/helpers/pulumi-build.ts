import { join } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = join(import.meta.dirname, "../..");

/** Bundle the plugin and SDK from the current sources (scripts/build.mjs may not include them yet). */
export async function buildPulumiPlugin(): Promise<void> {
  const script = pathToFileURL(join(ROOT, "provider/pulumi/build.mjs")).href;
  const { buildPulumi } = (await import(script)) as { buildPulumi(root: string): Promise<void> };
  await buildPulumi(ROOT);
}
