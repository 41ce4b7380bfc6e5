/** The one call plan/apply make for a stack's config and secrets (key from --secrets-key-file or the environment). */
import type { StateStore } from "../../core/state-store.js";
import { keySourceFrom } from "../../state/secrets/cipher.js";
import { openStackSecrets, type StackSecrets } from "../../state/secrets/sealing-store.js";

export type { StackSecrets } from "../../state/secrets/sealing-store.js";

export function stackSecrets(store: StateStore, stack: string, flags: { secretsKeyFile?: string }): Promise<StackSecrets> {
  return openStackSecrets(store, stack, keySourceFrom(flags.secretsKeyFile));
}
