/**
 * A stack's config as commands and the loader use it: values read (secrets opened with the stack's
 * key), values written (secrets sealed, the key record made on first use).
 */
import { StateError } from "../../core/errors.js";
import type { StackConfigValues } from "../../core/config/stack-config.js";
import type { StateStore } from "../../core/state-store.js";
import { SecretsCipher, type KeySource } from "./cipher.js";
import { isConfigStore, type ConfigEntry, type ConfigStore } from "./config-store.js";

export function configStoreOf(store: StateStore): StateStore & ConfigStore {
  if (!isConfigStore(store)) {
    throw new StateError("CONFIG_UNSUPPORTED", "this state backend does not keep stack config yet (use a SQLite state file)");
  }
  return store;
}

function noKey(stack: string): StateError {
  return new StateError("SECRETS_NO_KEY",
    `stack "${stack}" has secret config: set CINFRA_PASSPHRASE, or pass --secrets-key-file (CINFRA_SECRETS_KEY_FILE)`);
}

/** The stack's cipher; with `create`, a stack without a key record gets one from `source`. */
export async function stackCipher(store: ConfigStore, stack: string, source: KeySource | null, create = false): Promise<SecretsCipher> {
  if (!source) throw noKey(stack);
  const record = await store.secretsKey(stack);
  if (record) return SecretsCipher.open(source, record, stack);
  if (!create) throw noKey(stack);
  const made = SecretsCipher.create(source);
  await store.setSecretsKey(stack, made.record);
  return made.cipher;
}

/** Every value of the stack, secrets decrypted: what the program's `config` getters see. */
export async function readStackConfig(store: StateStore, stack: string, source: KeySource | null): Promise<StackConfigValues> {
  if (!isConfigStore(store)) return { stack, values: new Map(), secretKeys: new Set() };
  const entries = await store.listConfig(stack);
  const values = new Map<string, string>();
  const secretKeys = new Set<string>();
  const cipher = entries.some((e) => e.secret) ? await stackCipher(store, stack, source) : null;
  for (const e of entries) {
    values.set(e.key, e.secret ? cipher!.open(e.value) : e.value);
    if (e.secret) secretKeys.add(e.key);
  }
  return { stack, values, secretKeys };
}

export async function setConfigValue(
  store: StateStore, stack: string, key: string, value: string, options: { secret: boolean; source: KeySource | null },
): Promise<void> {
  const configs = configStoreOf(store);
  const stored = options.secret ? (await stackCipher(configs, stack, options.source, true)).seal(value) : value;
  const entry: ConfigEntry = { key, value: stored, secret: options.secret, updatedAt: new Date().toISOString() };
  await configs.setConfig(stack, entry);
}
