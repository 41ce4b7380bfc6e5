import { StateError } from "../../core/errors.js";
import type { PendingOperation, ResourceState, StackState, Urn } from "../../core/model/types.js";
import type { HistoryEntry, StateLock, StateStore } from "../../core/state-store.js";

/** In-memory StateStore for pure-logic unit tests of the planner and applier. */
export class MemoryStore implements StateStore {
  readonly stacksByName = new Map<string, StackState>();
  readonly writes: string[] = [];
  private locked = new Set<string>();

  private stack(name: string): StackState {
    let s = this.stacksByName.get(name);
    if (!s) this.stacksByName.set(name, (s = { stack: name, lineage: "test-lineage", serial: 0, resources: [], pending: [] }));
    return s;
  }
  async load(stack: string): Promise<StackState> {
    return structuredClone(this.stack(stack));
  }
  async lock(stack: string, operation: string): Promise<StateLock> {
    if (this.locked.has(stack)) throw new StateError("STATE_LOCKED", `${stack} is locked`);
    this.locked.add(stack);
    return { info: { holder: "test", pid: process.pid, host: "test", acquiredAt: "", operation }, release: async () => { this.locked.delete(stack); } };
  }
  async putResource(stack: string, resource: ResourceState): Promise<void> {
    const s = this.stack(stack);
    s.resources = [...s.resources.filter((r) => r.urn !== resource.urn), structuredClone(resource)];
    s.serial++;
    this.writes.push(`put ${resource.urn}`);
  }
  async deleteResource(stack: string, urn: Urn): Promise<void> {
    const s = this.stack(stack);
    s.resources = s.resources.filter((r) => r.urn !== urn);
    s.serial++;
    this.writes.push(`delete ${urn}`);
  }
  async addPending(stack: string, op: PendingOperation): Promise<void> {
    this.stack(stack).pending.push(op);
    this.writes.push(`pending ${op.op} ${op.urn}`);
  }
  async clearPending(stack: string, urn: Urn): Promise<void> {
    const s = this.stack(stack);
    s.pending = s.pending.filter((p) => p.urn !== urn);
  }
  readonly historyEntries: HistoryEntry[] = [];
  async appendHistory(entry: HistoryEntry): Promise<void> {
    this.historyEntries.push(entry);
  }
  async history(stack: string): Promise<HistoryEntry[]> {
    return this.historyEntries.filter((h) => h.stack === stack);
  }
  async stacks(): Promise<string[]> {
    return [...this.stacksByName.keys()];
  }
  async close(): Promise<void> {}
}
