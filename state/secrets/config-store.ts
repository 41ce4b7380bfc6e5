/**
 * Where stack config lives. A store that keeps config implements ConfigStore beside StateStore
 * (SQLite does; a store that does not gets a clear error from the config commands).
 */
import type { StateStore } from "../../core/state-store.js";
import type { SecretsKeyRecord } from "./cipher.js";

export interface ConfigEntry {
  key: string;
  /** Plain text, or for a secret the sealed value (`v1:…`): stores never see a secret's plaintext. */
  value: string;
  secret: boolean;
  updatedAt: string;
}

export interface ConfigStore {
  listConfig(stack: string): Promise<ConfigEntry[]>;
  setConfig(stack: string, entry: ConfigEntry): Promise<void>;
  /** False when the key was not set. */
  removeConfig(stack: string, key: string): Promise<boolean>;
  secretsKey(stack: string): Promise<SecretsKeyRecord | null>;
  setSecretsKey(stack: string, record: SecretsKeyRecord): Promise<void>;
}

export function isConfigStore(store: StateStore): store is StateStore & ConfigStore {
  const s = store as Partial<ConfigStore>;
  return typeof s.listConfig === "function" && typeof s.setConfig === "function" && typeof s.secretsKey === "function";
}
