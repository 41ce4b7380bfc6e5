/**
 * Secrets stay encrypted at rest in resource rows too: a StateStore wrapper seals every string that
 * is (or contains) a secret's plaintext as `{ "$secret": "v1:…" }` before it is written (inputs,
 * outputs, pending props), and opens those on load, so the planner compares plaintexts while the
 * database, exports and `state show` only ever hold ciphertext. Everything else passes through.
 */
import type { PendingOperation, Props, ResourceState, StackState } from "../../core/model/types.js";
import type { StateStore } from "../../core/state-store.js";
import { redactor, type Redactor } from "../../core/config/redact.js";
import { readStackConfig } from "./stack-config.js";
import type { SecretsCipher } from "./cipher.js";
import type { KeySource } from "./cipher.js";
import type { StackConfigValues } from "../../core/config/stack-config.js";
import { stackCipher } from "./stack-config.js";
import { isConfigStore } from "./config-store.js";

export interface SealedValue {
  $secret: string;
}

export function isSealed(value: unknown): value is SealedValue {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    typeof (value as SealedValue).$secret === "string" && Object.keys(value).length === 1;
}

function mapStrings(value: unknown, onString: (s: string) => unknown, onSealed: (s: SealedValue) => unknown): unknown {
  if (typeof value === "string") return onString(value);
  if (isSealed(value)) return onSealed(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, onString, onSealed));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, onString, onSealed)]));
  }
  return value;
}

export function sealProps(props: Props, cipher: SecretsCipher, secrets: Redactor): Props {
  return mapStrings(props, (s) => (secrets.matches(s) ? { $secret: cipher.seal(s) } : s), (v) => v) as Props;
}

export function openProps(props: Props, cipher: SecretsCipher): Props {
  return mapStrings(props, (s) => s, (v) => cipher.open(v.$secret)) as Props;
}

export function sealingStore(inner: StateStore, cipher: SecretsCipher, secretValues: readonly string[]): StateStore {
  const secrets = redactor(secretValues);
  const sealRow = (r: ResourceState): ResourceState =>
    ({ ...r, inputs: sealProps(r.inputs, cipher, secrets), outputs: sealProps(r.outputs, cipher, secrets) });
  const openRow = (r: ResourceState): ResourceState => ({ ...r, inputs: openProps(r.inputs, cipher), outputs: openProps(r.outputs, cipher) });
  const overrides: Partial<StateStore> = {
    async load(stack: string): Promise<StackState> {
      const state = await inner.load(stack);
      return {
        ...state,
        resources: state.resources.map(openRow),
        pending: state.pending.map((p) => (p.props ? { ...p, props: openProps(p.props, cipher) } : p)),
      };
    },
    putResource: (stack, r) => inner.putResource(stack, sealRow(r)),
    addPending: (stack, op: PendingOperation) =>
      inner.addPending(stack, op.props ? { ...op, props: sealProps(op.props, cipher, secrets) } : op),
  };
  // A proxy rather than a class: the inner store's other methods (config, integrityCheck, …) stay reachable.
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (typeof prop === "string" && prop in overrides) return overrides[prop as keyof StateStore];
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export interface StackSecrets {
  /** For setStackConfig: what the program's `config` getters see. */
  config: StackConfigValues;
  /** The store to plan and apply with: seals secrets in rows when the stack has any. */
  store: StateStore;
  /** Masks secret plaintexts in plans, JSON and log lines. */
  redact: Redactor;
}

/** Everything a plan/apply of `stack` needs about its config and secrets, from one call. */
export async function openStackSecrets(store: StateStore, stack: string, source: KeySource | null): Promise<StackSecrets> {
  const config = await readStackConfig(store, stack, source);
  const values = [...config.secretKeys].map((k) => config.values.get(k)!).filter((v) => v !== "");
  const hasKey = isConfigStore(store) && (await store.secretsKey(stack)) !== null;
  // A stack whose secrets were all removed may still hold sealed rows: open them when a key is at hand.
  if (!hasKey || (!values.length && !source)) return { config, store, redact: redactor(values) };
  const cipher = await stackCipher(store as StateStore & import("./config-store.js").ConfigStore, stack, source);
  return { config, store: sealingStore(store, cipher, values), redact: redactor(values) };
}
