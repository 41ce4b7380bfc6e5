/** Wires the CLI to a state store and the local runtime, from flags and environment. */
import { basename, extname } from "node:path";
import type { StateStore } from "../core/state-store.js";
import type { RuntimeWithActions } from "../core/runtime.js";
import { openStateStore } from "../state/open.js";
import { createLinuxRuntime } from "../provider/linux/runtime.js";
import { defaultRuntimeConfig } from "../provider/linux/config.js";
import { withCrashHook } from "./commands/crash-hook.js";

export const DEFAULT_STATE = "/var/lib/cinfra/state.db";

export interface GlobalOptions {
  state?: string;
  stack?: string;
}

export function stateUrl(options: GlobalOptions): string {
  return options.state ?? process.env.CINFRA_STATE ?? DEFAULT_STATE;
}

export async function openStore(options: GlobalOptions): Promise<StateStore> {
  return openStateStore(stateUrl(options));
}

export function openRuntime(): RuntimeWithActions {
  // withCrashHook is inert unless CINFRA_TEST_CRASH_AFTER is set (the kill -9 crash test).
  return withCrashHook(createLinuxRuntime(defaultRuntimeConfig()));
}

/** A stack is named by `--stack`, or after its program file (`stacks/demo.ts` -> `demo`). */
export function stackName(file: string | undefined, options: GlobalOptions): string {
  if (options.stack) return options.stack;
  if (!file) return "default";
  return basename(file, extname(file));
}
