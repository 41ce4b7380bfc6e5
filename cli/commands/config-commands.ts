/** `cinfra config set|get|list|rm`: per-stack values the program reads with `config.require(…)`; secrets sealed at rest. */
import { readFileSync } from "node:fs";
import { CinfraError, ValidationError } from "../../core/errors.js";
import { CONFIG_KEY } from "../../core/config/stack-config.js";
import { SENSITIVE } from "../../core/config/redact.js";
import { keySourceFrom } from "../../state/secrets/cipher.js";
import { configStoreOf, readStackConfig, setConfigValue, stackCipher } from "../../state/secrets/stack-config.js";
import { openStore, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";

export interface ConfigFlags extends GlobalOptions {
  secret?: boolean;
  secretsKeyFile?: string;
  json?: boolean;
  showSecrets?: boolean;
}

/** Config belongs to a named stack: `--stack` is required (the program file's name, e.g. `demo`). */
export function requireStack(flags: GlobalOptions): string {
  if (!flags.stack) throw new CinfraError("NEEDS_STACK", "pass --stack NAME (a stack is named after its program file: stacks/demo.ts -> demo)");
  return flags.stack;
}

function checkKey(key: string): void {
  if (!CONFIG_KEY.test(key)) throw new ValidationError(`config.${key}`, "is not a valid key (a letter or _, then letters, digits, _ . : -)");
}

/** A value from the argument, or from stdin when none is given (keeps secrets out of shell history). */
function valueFrom(arg: string | undefined): string {
  if (arg !== undefined) return arg;
  if (process.stdin.isTTY) throw new CinfraError("NEEDS_VALUE", "give the value as an argument, or pipe it on stdin");
  return readFileSync(0, "utf8").replace(/\r?\n$/, "");
}

export async function configSetCommand(key: string, value: string | undefined, flags: ConfigFlags): Promise<number> {
  const stack = requireStack(flags);
  checkKey(key);
  const text = valueFrom(value);
  const store = await openStore(flags);
  try {
    await setConfigValue(store, stack, key, text, { secret: flags.secret === true, source: keySourceFrom(flags.secretsKeyFile) });
    if (flags.secret && text.length < 4) {
      process.stderr.write(`Warning: ${key} is shorter than 4 characters: output masks it only where it is a whole value.\n`);
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

export async function configGetCommand(key: string, flags: ConfigFlags): Promise<number> {
  const stack = requireStack(flags);
  const store = await openStore(flags);
  try {
    const entry = (await configStoreOf(store).listConfig(stack)).find((e) => e.key === key);
    if (!entry) throw new CinfraError("CONFIG_NOT_SET", `config ${key} is not set for stack "${stack}"`);
    // Only the one value asked for is opened, and printed: asking for a secret by name is the point.
    const value = entry.secret ? (await stackCipher(configStoreOf(store), stack, keySourceFrom(flags.secretsKeyFile))).open(entry.value) : entry.value;
    process.stdout.write(`${flags.json ? JSON.stringify(value) : value}\n`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

export async function configListCommand(flags: ConfigFlags): Promise<number> {
  const stack = requireStack(flags);
  const store = await openStore(flags);
  try {
    const entries = await configStoreOf(store).listConfig(stack);
    const opened = flags.showSecrets ? await readStackConfig(store, stack, keySourceFrom(flags.secretsKeyFile)) : null;
    const rows = entries.map((e) => ({
      key: e.key, value: e.secret ? opened?.values.get(e.key) ?? SENSITIVE : e.value, secret: e.secret, updatedAt: e.updatedAt,
    }));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    } else if (rows.length === 0) {
      process.stdout.write(`No config for stack "${stack}".\n`);
    } else {
      const width = Math.max(3, ...rows.map((r) => r.key.length));
      process.stdout.write(`${"KEY".padEnd(width)}  VALUE\n`);
      for (const r of rows) process.stdout.write(`${r.key.padEnd(width)}  ${r.value}${r.secret ? "  [secret]" : ""}\n`);
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

export async function configRmCommand(key: string, flags: ConfigFlags): Promise<number> {
  const stack = requireStack(flags);
  const store = await openStore(flags);
  try {
    if (!(await configStoreOf(store).removeConfig(stack, key))) {
      throw new CinfraError("CONFIG_NOT_SET", `config ${key} is not set for stack "${stack}"`);
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
