/** Reads shared by the PostgreSQL store's queries and transactions (JSONB columns arrive parsed). */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { PendingOperation, Props, ResourceState, StackState, StoredOptions, Urn } from "../../core/model/types.js";
import { storedOptionsField } from "../stored-options.js";
import type { HistoryEntry, LockInfo } from "../../core/state-store.js";
import type { SecretsKeyRecord } from "../secrets/cipher.js";
import type { ConfigEntry } from "../secrets/config-store.js";

export type Queryable = pg.Pool | pg.ClientBase;

interface ResourceRow {
  urn: Urn; kind: ResourceState["kind"]; name: string; id: string; inputs: Props; outputs: Props; depends_on: Urn[]; options: StoredOptions;
}
interface PendingRow { urn: Urn; op: PendingOperation["op"]; id: string; started_at: string; props: Props | null }
export interface LockRow { holder: string; pid: number; host: string; acquired_at: string; operation: string; pid_start: string | null }
interface HistoryRow { stack: string; started_at: string; finished_at: string | null; user: string; command: string; summary: unknown; result: string }

export async function readStack(db: Queryable, stack: string): Promise<StackState> {
  const head = await db.query<{ lineage: string; serial: string }>("SELECT lineage, serial FROM cinfra_stacks WHERE name = $1", [stack]);
  if (head.rowCount === 0) return { stack, lineage: randomUUID(), serial: 0, resources: [], pending: [] };
  const rows = await db.query<ResourceRow>("SELECT * FROM cinfra_resources WHERE stack = $1 ORDER BY urn COLLATE \"C\"", [stack]);
  const pending = await db.query<PendingRow>("SELECT * FROM cinfra_pending WHERE stack = $1 ORDER BY urn COLLATE \"C\"", [stack]);
  return {
    stack, lineage: head.rows[0].lineage, serial: Number(head.rows[0].serial),
    resources: rows.rows.map((r) => ({ urn: r.urn, kind: r.kind, name: r.name, id: r.id, inputs: r.inputs, outputs: r.outputs, dependsOn: r.depends_on,
      ...storedOptionsField(r.options),
    })),
    pending: pending.rows.map((p) => ({ urn: p.urn, op: p.op, id: p.id, startedAt: p.started_at, ...(p.props ? { props: p.props } : {}) })),
  };
}

export async function readConfig(db: Queryable, stack: string): Promise<ConfigEntry[]> {
  const rows = await db.query<{ key: string; value: string; secret: boolean; updated_at: string }>(
    "SELECT key, value, secret, updated_at FROM cinfra_config WHERE stack = $1 ORDER BY key COLLATE \"C\"", [stack]);
  return rows.rows.map((r) => ({ key: r.key, value: r.value, secret: r.secret, updatedAt: r.updated_at }));
}

export async function readSecretsKey(db: Queryable, stack: string): Promise<SecretsKeyRecord | null> {
  const rows = await db.query<{ kdf: SecretsKeyRecord["kdf"]; salt: string; check_value: string }>(
    "SELECT kdf, salt, check_value FROM cinfra_secrets_keys WHERE stack = $1", [stack]);
  const row = rows.rows[0];
  return row ? { kdf: row.kdf, salt: row.salt, check: row.check_value } : null;
}

export async function readHistory(db: Queryable, stack: string): Promise<HistoryEntry[]> {
  const rows = await db.query<HistoryRow>("SELECT * FROM cinfra_history WHERE stack = $1 ORDER BY seq", [stack]);
  return rows.rows.map((r) => ({
    stack: r.stack, startedAt: r.started_at, finishedAt: r.finished_at, user: r.user, command: r.command, summary: r.summary, result: r.result,
  }));
}

export function lockOf(r: LockRow): LockInfo {
  return { holder: r.holder, pid: r.pid, host: r.host, acquiredAt: r.acquired_at, operation: r.operation };
}
