/**
 * Secrets stay encrypted at rest in resource rows too: a StateStore wrapper seals every string that
 * is (or contains) a secret's plaintext as `{ "$secret": "v1:…" }` before it is written (inputs,
 * outputs, pending props), and opens those on load, so the planner compares plaintexts while the
 * database, exports and `state show` only ever hold ciphertext. Everything else passes through.
 */
import { StateError } from "../../core/errors.js";
import type { PendingOperation, Props, ResourceState, StackState } from "../../core/model/types.js";
import type { StateStore } from "../../core/state-store.js";
import { isSealedValue as isSealed, redactor, type Redactor } from "../../core/config/redact.js";
import type { StackConfigValues } from "../../core/config/stack-config.js";
import type { KeySource, SecretsCipher } from "./cipher.js";
import { isConfigStore } from "./config-store.js";
import { readStackConfig, stackCipher } from "./stack-config.js";

export type SealedValue = { $secret: string };
export { isSealedValue as isSealed } from "../../core/config/redact.js";

function mapStrings(value: unknown, onString: (s: string) => unknown, onSealed: (s: SealedValue) => unknown): unknown {
  if (typeof value === "string") return onString(value);
  if (isSealed(value)) return onSealed(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, onString, onSealed));
  // Plain data only: class instances (a resource's lazy source location, …) pass through as they are.
  if (value && typeof value === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, onString, onSealed)]));
  }
  return value;
}

export function sealProps(props: Props, cipher: SecretsCipher, secrets: Redactor): Props {
  return mapStrings(props, (s) => (secrets.matches(s) ? { $secret: cipher.seal(s) } : s), (v) => v) as Props;
}

export function openProps(props: Props, cipher: SecretsCipher, onOpen: (plain: string) => void = () => {}): Props {
  return mapStrings(props, (s) => s, (v) => {
    const plain = cipher.open(v.$secret);
    onOpen(plain);
    return plain;
  }) as Props;
}

/**
 * The secrets a command knows: the stack's current ones, plus every value it opened from state (a
 * rotated secret is no longer in config, but the plan still shows it as the "before" of a change).
 */
export class SecretSet {
  private readonly values: Set<string>;
  private cached: Redactor | null = null;
  constructor(initial: readonly string[]) {
    this.values = new Set(initial.filter((v) => v !== ""));
  }
  add(value: string): void {
    if (value === "" || this.values.has(value)) return;
    this.values.add(value);
    this.cached = null;
  }
  get redactor(): Redactor {
    return (this.cached ??= redactor([...this.values]));
  }
  /** A Redactor that always reflects what is known at the time of the call. */
  live(): Redactor {
    return { matches: (v) => this.redactor.matches(v), value: (v) => this.redactor.value(v), text: (t) => this.redactor.text(t) };
  }
}

export function sealingStore(inner: StateStore, cipher: SecretsCipher, secrets: SecretSet): StateStore {
  const seal = (props: Props) => sealProps(props, cipher, secrets.redactor);
  const open = (props: Props) => openProps(props, cipher, (plain) => secrets.add(plain));
  const overrides: Partial<StateStore> = {
    async load(stack: string): Promise<StackState> {
      const state = await inner.load(stack);
      return {
        ...state,
        resources: state.resources.map((r) => ({ ...r, inputs: open(r.inputs), outputs: open(r.outputs) })),
        pending: state.pending.map((p) => (p.props ? { ...p, props: open(p.props) } : p)),
      };
    },
    putResource: (stack, r: ResourceState) => inner.putResource(stack, { ...r, inputs: seal(r.inputs), outputs: seal(r.outputs) }),
    addPending: (stack, op: PendingOperation) => inner.addPending(stack, op.props ? { ...op, props: seal(op.props) } : op),
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
  /** A copy of any plain data (a saved plan) with secret strings sealed, for writing to disk. */
  seal<T>(value: T): T;
  /** The reverse, for reading it back; StateError SECRETS_NO_KEY when it holds sealed values and no key was given. */
  open<T>(value: T): T;
}

function noKeyToOpen(stack: string): never {
  throw new StateError("SECRETS_NO_KEY", `this holds secrets of stack "${stack}": set CINFRA_PASSPHRASE, or pass --secrets-key-file`);
}

/** Everything a plan/apply of `stack` needs about its config and secrets, from one call. */
export async function openStackSecrets(store: StateStore, stack: string, source: KeySource | null): Promise<StackSecrets> {
  const config = await readStackConfig(store, stack, source);
  const values = [...config.secretKeys].map((k) => config.values.get(k)!).filter((v) => v !== "");
  const secrets = new SecretSet(values);
  const hasKey = isConfigStore(store) && (await store.secretsKey(stack)) !== null;
  // A stack whose secrets were all removed may still hold sealed rows: open them when a key is at hand.
  if (!isConfigStore(store) || !hasKey || (!values.length && !source)) {
    const open = <T>(value: T): T => mapStrings(value, (s) => s, () => noKeyToOpen(stack)) as T;
    return { config, store, redact: secrets.live(), seal: (value) => value, open };
  }
  const cipher = await stackCipher(store, stack, source);
  return {
    config, store: sealingStore(store, cipher, secrets), redact: secrets.live(),
    seal: (value) => mapStrings(value, (s) => (secrets.redactor.matches(s) ? { $secret: cipher.seal(s) } : s), (v) => v) as typeof value,
    open: (value) => mapStrings(value, (s) => s, (v) => {
      const plain = cipher.open(v.$secret);
      secrets.add(plain);
      return plain;
    }) as typeof value,
  };
}
