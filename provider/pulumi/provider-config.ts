/**
 * Provider configuration (`cinfra:libRoot`, …): where the local runtime keeps its objects. Unset
 * keys fall back to the CINFRA_* environment the engine passes to the plugin, then to the defaults.
 */
import { defaultRuntimeConfig, type RuntimeConfig } from "../linux/config.js";
import type { WireObject } from "./wire-values.js";
import { isUnknown } from "./wire-values.js";

export const CONFIG_KEYS = ["libRoot", "runRoot", "cgroupRoot", "cgroupParent", "linkPrefix"] as const;
type ConfigKey = (typeof CONFIG_KEYS)[number];

export interface Failure {
  property: string;
  reason: string;
}

/** Provider inputs the engine itself adds (which plugin to load), not configuration. */
const ENGINE_KEYS = ["version", "pluginDownloadURL"];

const ABSOLUTE = /^\/(?!.*(^|\/)\.\.(\/|$)).*$/;

function problem(key: ConfigKey, value: string): string | null {
  if (key === "linkPrefix") {
    return /^cinfra[a-z0-9]{0,3}$/.test(value) ? null : 'must start with "cinfra" and have at most 9 lowercase letters or digits';
  }
  if (key === "cgroupParent") return /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(value) ? null : "must be a cgroup name (letters, digits, . _ - and /)";
  return ABSOLUTE.test(value) ? null : "must be an absolute path without '..'";
}

/**
 * Config as the engine sends it: `args` (a struct keyed by bare names) on new engines, `variables`
 * (keyed `cinfra:config:<name>`, values as text) on older ones.
 */
export function configValues(args: WireObject | undefined, variables: ReadonlyMap<string, string>): WireObject {
  if (args && Object.keys(args).length > 0) return args;
  const out: WireObject = {};
  for (const [key, value] of variables) out[key.slice(key.lastIndexOf(":") + 1)] = value;
  return out;
}

export function checkConfig(news: WireObject): Failure[] {
  const failures: Failure[] = [];
  for (const [key, value] of Object.entries(news)) {
    if (ENGINE_KEYS.includes(key) || isUnknown(value)) continue;
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      failures.push({ property: key, reason: `unknown configuration key (known: ${CONFIG_KEYS.join(", ")})` });
    } else if (typeof value !== "string") {
      failures.push({ property: key, reason: "expected a string" });
    } else {
      const reason = problem(key as ConfigKey, value);
      if (reason) failures.push({ property: key, reason });
    }
  }
  return failures;
}

/** Keys whose change moves every resource to another place: they must all be replaced. */
export function changedConfigKeys(olds: WireObject, news: WireObject, env: NodeJS.ProcessEnv = process.env): ConfigKey[] {
  const before = runtimeConfigFrom(olds, env);
  const after = runtimeConfigFrom(news, env);
  return CONFIG_KEYS.filter((k) => before[k] !== after[k]);
}

export function runtimeConfigFrom(values: WireObject, env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const config = defaultRuntimeConfig(env);
  for (const key of CONFIG_KEYS) {
    const value = values[key];
    if (typeof value === "string" && value !== "" && !isUnknown(value)) config[key] = value;
  }
  return config;
}
