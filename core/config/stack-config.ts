/**
 * Stack configuration as a stack program reads it: `cinfra config set KEY VALUE [--secret]` stores
 * strings per stack; the typed getters parse them and name the key (and the program's line) when a
 * value is missing or malformed. Pure: the CLI decrypts secrets and hands the values in before the
 * program runs (setStackConfig), so nothing here touches state or keys.
 */
import { ValidationError } from "../errors.js";
import { callerLocation } from "../sdk/registry.js";

/** Config keys: letters, digits and `_ . : -`, starting with a letter or `_` (e.g. `db.password`). */
export const CONFIG_KEY = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;

export interface StackConfigValues {
  stack: string;
  /** Plain and (already decrypted) secret values by key. */
  values: ReadonlyMap<string, string>;
  /** Keys whose values are secret: every occurrence of those values is shown as `(sensitive)`. */
  secretKeys: ReadonlySet<string>;
}

const EMPTY: StackConfigValues = { stack: "", values: new Map(), secretKeys: new Set() };
let current: StackConfigValues = EMPTY;

/** The loader calls this before running a stack program (and clears it after with `null`). */
export function setStackConfig(values: StackConfigValues | null): void {
  current = values ?? EMPTY;
}

/** The plaintexts of every secret of the loaded stack, for redaction of plans, logs and JSON. */
export function loadedSecretValues(): string[] {
  return [...current.secretKeys].map((k) => current.values.get(k)).filter((v): v is string => v !== undefined && v !== "");
}

function invalid(key: string, reason: string): never {
  throw new ValidationError(`config.${key}`, reason, callerLocation());
}

function checkKey(key: unknown): string {
  if (typeof key !== "string" || !CONFIG_KEY.test(key)) invalid(String(key), "is not a valid config key (letters, digits, _ . : -)");
  return key;
}

function missing(key: string, secret: boolean): never {
  const where = current.stack ? ` for stack "${current.stack}"` : "";
  invalid(key, `is not set${where}: run \`cinfra config set ${key} VALUE${secret ? " --secret" : ""}${current.stack ? ` --stack ${current.stack}` : ""}\``);
}

export function parseNumber(key: string, raw: string): number {
  const n = raw.trim() === "" ? Number.NaN : Number(raw);
  if (!Number.isFinite(n)) invalid(key, `${JSON.stringify(raw)} is not a number`);
  return n;
}

export function parseBoolean(key: string, raw: string): boolean {
  if (raw === "true") return true;
  if (raw === "false") return false;
  return invalid(key, `${JSON.stringify(raw)} is not true or false`);
}

export function parseObject<T>(key: string, raw: string): T {
  try {
    return JSON.parse(raw) as T;
  } catch (error) {
    return invalid(key, `is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Typed getters, Pulumi-style: `get*` returns undefined when unset, `require*` throws naming the
 * key and the command that sets it. Secret getters insist the value was stored with `--secret`,
 * so a secret never silently comes from plain text.
 */
export class Config {
  get(key: string): string | undefined {
    return current.values.get(checkKey(key));
  }
  require(key: string): string {
    return this.get(key) ?? missing(key, false);
  }
  getNumber(key: string): number | undefined {
    const raw = this.get(key);
    return raw === undefined ? undefined : parseNumber(key, raw);
  }
  requireNumber(key: string): number {
    return parseNumber(key, this.require(key));
  }
  getBoolean(key: string): boolean | undefined {
    const raw = this.get(key);
    return raw === undefined ? undefined : parseBoolean(key, raw);
  }
  requireBoolean(key: string): boolean {
    return parseBoolean(key, this.require(key));
  }
  getObject<T = unknown>(key: string): T | undefined {
    const raw = this.get(key);
    return raw === undefined ? undefined : parseObject<T>(key, raw);
  }
  requireObject<T = unknown>(key: string): T {
    return parseObject<T>(key, this.require(key));
  }
  getSecret(key: string): string | undefined {
    const raw = this.get(key);
    if (raw !== undefined && !current.secretKeys.has(key)) {
      invalid(key, `is stored in plain text: set it again with \`cinfra config set ${key} VALUE --secret\``);
    }
    return raw;
  }
  requireSecret(key: string): string {
    return this.getSecret(key) ?? missing(key, true);
  }
  /** The stack being loaded (`--stack`, or the program file's name). */
  get stack(): string {
    return current.stack;
  }
}

/** What stack programs import: `import { config } from "cinfra"`. */
export const config = new Config();
