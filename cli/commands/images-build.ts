/** `cinfra images build [-t name:tag] [-f Dockerfile] [--build-arg K=V] [--target STAGE] CONTEXT`. */
import { resolve } from "node:path";
import { ValidationError } from "../../core/errors.js";
import { buildImage } from "../../provider/linux/build/builder.js";
import { createCgroupManager } from "../../provider/linux/cgroups/index.js";
import { defaultRuntimeConfig } from "../../provider/linux/config.js";
import { openImageStore } from "../../provider/linux/images/index.js";
import { EXIT } from "../exit-codes.js";

export interface BuildFlags {
  tag?: string[];
  file?: string;
  buildArg?: string[];
  target?: string;
  pull?: boolean;
}

export function parseBuildArgs(values: string[] = []): Record<string, string> {
  const args: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf("=");
    const name = eq < 0 ? value : value.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ValidationError("--build-arg", `${JSON.stringify(value)} is not NAME=VALUE`);
    // `--build-arg NAME` takes the value from the environment, as docker build does.
    const given = eq < 0 ? process.env[name] : value.slice(eq + 1);
    if (given !== undefined) args[name] = given;
  }
  return args;
}

export async function imagesBuild(context: string, flags: BuildFlags): Promise<number> {
  const config = defaultRuntimeConfig();
  const images = openImageStore(config.libRoot);
  const cgroups = createCgroupManager({ root: config.cgroupRoot, parent: config.cgroupParent });
  const result = await buildImage({ config, cgroups, images }, {
    context: resolve(context), file: flags.file === undefined ? undefined : resolve(flags.file),
    args: parseBuildArgs(flags.buildArg), target: flags.target,
  }, {
    names: flags.tag ?? [],
    pull: flags.pull ?? true,
    progress: (message) => process.stdout.write(`${message}\n`),
    output: (text) => process.stdout.write(text),
  });
  const names = result.image.names.length ? ` (${result.image.names.join(", ")})` : "";
  process.stdout.write(`built ${result.image.id}${names}: ${result.ran.length} RUN steps ran, ${result.cached} steps from cache\n`);
  return EXIT.ok;
}
