/**
 * What both state stores offer beyond core's StateStore (to be folded into the interface): a lock
 * that says whether it took over a stale one, stack export/import, atomic rename, integrity check.
 */
import type { PendingOperation, ResourceState, Urn } from "../core/model/types.js";
import type { LockInfo, StateLock, StateStore } from "../core/state-store.js";
import type { SecretsKeyRecord } from "./secrets/cipher.js";
import type { ConfigEntry, ConfigStore } from "./secrets/config-store.js";

export interface AcquiredLock extends StateLock {
  /** The previous holder when its lock was stale (process gone) and this one replaced it. */
  readonly takenOverFrom: LockInfo | null;
}

export const STACK_EXPORT_FORMAT = "cinfra-state";

/** One stack as `cinfra state export` writes it (the same shape as cli/commands/state-transfer.ts). */
export interface StackExport {
  format: typeof STACK_EXPORT_FORMAT;
  version: 1;
  exportedAt: string;
  stack: string;
  lineage: string;
  serial: number;
  resources: ResourceState[];
  pending: PendingOperation[];
  /** Secret values stay sealed: the file holds no plaintext. */
  config: ConfigEntry[];
  secretsKey: SecretsKeyRecord | null;
}

export interface FullStateStore extends StateStore, ConfigStore {
  lock(stack: string, operation: string, options?: { timeoutMs?: number }): Promise<AcquiredLock>;
  /** The row moves to `to` (same kind) and every reference to it follows, in one write. */
  renameResource(stack: string, from: Urn, to: Urn): Promise<void>;
  /** The stack's resources become exactly `resources`, pending operations cleared, in one write. */
  replaceResources(stack: string, resources: readonly ResourceState[]): Promise<void>;
  /** A consistent snapshot of one stack. */
  exportStack(stack: string): Promise<StackExport>;
  /**
   * The stack (`options.stack`, else the file's) becomes the file, in one write: resources, pending
   * operations, lineage; config and key record too when the file has any. The serial becomes
   * max(current, file) + 1 so saved plans made against either are rejected. The caller checks divergence.
   */
  importStack(data: StackExport, options?: { stack?: string }): Promise<void>;
  /** "ok", or what is damaged. */
  integrityCheck(): string | Promise<string>;
}

export function emptyExport(stack: string, lineage: string): StackExport {
  return {
    format: STACK_EXPORT_FORMAT, version: 1, exportedAt: new Date().toISOString(), stack, lineage, serial: 0,
    resources: [], pending: [], config: [], secretsKey: null,
  };
}
