import type { PendingOperation, ResourceState, StackState, Urn } from "./model/types.js";

export interface LockInfo {
  holder: string;
  pid: number;
  host: string;
  acquiredAt: string;
  operation: string;
}

export interface HistoryEntry {
  stack: string;
  startedAt: string;
  finishedAt: string | null;
  user: string;
  command: string;
  summary: unknown;
  result: string;
}

export interface StateLock {
  readonly info: LockInfo;
  release(): Promise<void>;
}

/**
 * A place that remembers stacks. Every write bumps the stack's `serial`; a stack gets a
 * random `lineage` when first written. Implementations: state/sqlite, state/postgres.
 * Errors are StateError with codes STATE_LOCKED, STATE_CORRUPT, STATE_IO.
 */
export interface StateStore {
  /** The stack's state; an empty state (serial 0, fresh lineage) when it has none. */
  load(stack: string): Promise<StackState>;
  /** Take the stack's apply lock or throw StateError("STATE_LOCKED") naming the holder; `timeoutMs` waits for it instead. */
  lock(stack: string, operation: string, options?: { timeoutMs?: number }): Promise<StateLock>;
  putResource(stack: string, resource: ResourceState): Promise<void>;
  deleteResource(stack: string, urn: Urn): Promise<void>;
  addPending(stack: string, op: PendingOperation): Promise<void>;
  clearPending(stack: string, urn: Urn): Promise<void>;
  /** Record one apply/destroy: who, when, what the plan held, how it ended. */
  appendHistory(entry: HistoryEntry): Promise<void>;
  history(stack: string): Promise<HistoryEntry[]>;
  /** Names of every stack with state. */
  stacks(): Promise<string[]>;
  close(): Promise<void>;
}
