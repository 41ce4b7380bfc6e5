/**
 * Loads a TypeScript stack program: esbuild bundles it (types stripped, its own imports
 * resolved from its directory) with `import ... from "cinfra"` bound to this engine's own
 * SDK module, then runs it while a collection is open, so `new Container(...)` registers here.
 */
import { existsSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Message, Plugin } from "esbuild";
import { CinfraError, LoadError } from "../../core/errors.js";
import type { DesiredResource } from "../../core/model/types.js";
import * as sdk from "../../core/sdk/index.js";
import { callerLocationFromError } from "./error-location.js";
import { typecheckStack } from "./typecheck.js";
import { collectAsync } from "../../core/sdk/registry.js";
import { setStackConfig, type StackConfigValues } from "../../core/config/stack-config.js";

import { resolveImageBuilds } from "./resolve-image-builds.js";
import { resolveImageTags } from "./resolve-image-tags.js";

const SDK_KEY = Symbol.for("cinfra.sdk");

export interface LoadedStack {
  file: string;
  resources: DesiredResource[];
}

/** Binds the program's "cinfra" import to the running engine's SDK instance. */
const bindSdk: Plugin = {
  name: "cinfra-sdk",
  setup(b) {
    b.onResolve({ filter: /^cinfra$/ }, () => ({ path: "cinfra", namespace: "cinfra-sdk" }));
    b.onLoad({ filter: /.*/, namespace: "cinfra-sdk" }, () => ({
      contents: `const sdk = globalThis[Symbol.for("cinfra.sdk")];\n` +
        Object.keys(sdk).map((name) => `export const ${name} = sdk.${name};`).join("\n"),
      loader: "js",
    }));
  },
};

export async function loadStack(path: string, config?: StackConfigValues): Promise<LoadedStack> {
  const file = resolve(path);
  if (!existsSync(file)) throw new LoadError("STACK_NOT_FOUND", `${path}: no such stack file`);
  const code = await bundle(file);
  // The bundle sits beside the program so its own relative and package imports resolve as they would for it.
  const out = join(dirname(file), `.${basename(file)}.cinfra-${process.pid}-${Date.now()}.mjs`);
  writeFileSync(out, code);
  (globalThis as Record<symbol, unknown>)[SDK_KEY] = sdk;
  process.setSourceMapsEnabled(true);
  const collection = { resources: [] as DesiredResource[], baseDir: dirname(file), programFile: file };
  setStackConfig(config ?? null);
  try {
    await collectAsync(collection, async () => {
      const mod = (await import(pathToFileURL(out).href)) as { default?: unknown };
      if (typeof mod.default === "function") await (mod.default as () => unknown)();
    });
  } catch (error) {
    if (error instanceof CinfraError) throw error;
    const where = callerLocationFromError(error, file);
    const message = error instanceof Error ? error.message : String(error);
    throw new LoadError("STACK_THREW", `${where ?? file}: the stack program threw: ${message}`, { cause: error });
  } finally {
    setStackConfig(null);
    unlinkSync(out);
  }
  // After the program ran: its own validation errors name the property path, which reads better than
  // the type error behind them; what only types catch is reported here, before anything is planned.
  await typecheckStack(file);
  await resolveImageTags(collection.resources);
  await resolveImageBuilds(collection.resources);
  return { file, resources: collection.resources };
}

async function bundle(file: string): Promise<string> {
  // Loaded on first use: commands that do not read a program should not pay for esbuild's start.
  const { build } = await import("esbuild");
  try {
    const result = await build({
      entryPoints: [file], bundle: true, platform: "node", format: "esm", target: "node20", write: false,
      outfile: join(dirname(file), "bundle.mjs"), sourcemap: "inline", packages: "external", logLevel: "silent",
      plugins: [bindSdk],
    });
    return result.outputFiles[0].text;
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors ?? [];
    const first = errors[0];
    if (!first) throw error;
    const loc = first.location ? `${resolve(first.location.file)}:${first.location.line}:${first.location.column + 1}` : file;
    throw new LoadError("STACK_SYNTAX", `${loc}: ${first.text}`);
  }
}
