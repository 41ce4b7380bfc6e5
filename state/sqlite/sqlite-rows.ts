/** Rows of the SQLite schema and their mapping to the model (JSON columns parsed here only). */
import type { PendingOperation, ResourceState, StoredOptions, Urn } from "../../core/model/types.js";
import { storedOptionsField } from "../stored-options.js";
import type { HistoryEntry, LockInfo } from "../../core/state-store.js";
import type { ConfigEntry } from "../secrets/config-store.js";

export interface ResourceRow { urn: string; kind: string; name: string; id: string; inputs: string; outputs: string; depends_on: string; options: string }
export interface PendingRow { urn: string; op: string; id: string; started_at: string; props: string | null }
export interface LockRow { holder: string; pid: number; host: string; acquired_at: string; operation: string; pid_start: string | null }
export interface HistoryRow { stack: string; started_at: string; finished_at: string | null; user: string; command: string; summary: string; result: string }
export interface ConfigRow { key: string; value: string; secret: number; updated_at: string }

export function resourceOf(r: ResourceRow): ResourceState {
  return {
    urn: r.urn as Urn, kind: r.kind as ResourceState["kind"], name: r.name, id: r.id,
    inputs: JSON.parse(r.inputs), outputs: JSON.parse(r.outputs), dependsOn: JSON.parse(r.depends_on),
    ...storedOptionsField(JSON.parse(r.options) as StoredOptions),
  };
}

export function pendingOf(p: PendingRow): PendingOperation {
  return {
    urn: p.urn as Urn, op: p.op as PendingOperation["op"], id: p.id, startedAt: p.started_at,
    ...(p.props ? { props: JSON.parse(p.props) } : {}),
  };
}

export function lockOf(row: LockRow): LockInfo {
  return { holder: row.holder, pid: row.pid, host: row.host, acquiredAt: row.acquired_at, operation: row.operation };
}

export function historyOf(r: HistoryRow): HistoryEntry {
  return {
    stack: r.stack, startedAt: r.started_at, finishedAt: r.finished_at, user: r.user, command: r.command,
    summary: JSON.parse(r.summary), result: r.result,
  };
}

export function configOf(r: ConfigRow): ConfigEntry {
  return { key: r.key, value: r.value, secret: r.secret === 1, updatedAt: r.updated_at };
}
