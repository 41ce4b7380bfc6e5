/**
 * The default state store: one SQLite file (better-sqlite3, WAL, foreign keys on). Every write
 * runs in a transaction that also bumps the stack's serial, so a crash loses at most the write
 * in flight and `PRAGMA integrity_check` stays clean.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { StateError } from "../../core/errors.js";
import type { PendingOperation, ResourceState, StackState, Urn } from "../../core/model/types.js";
import type { HistoryEntry, LockInfo, StateLock, StateStore } from "../../core/state-store.js";
export type { HistoryEntry } from "../../core/state-store.js";
import { currentHolder, isStale, lockedMessage } from "../lock-info.js";
import { MIGRATIONS } from "./migrations.js";
import type { ConfigEntry, ConfigStore } from "../secrets/config-store.js";
import type { SecretsKeyRecord } from "../secrets/cipher.js";

interface ResourceRow { urn: string; kind: string; name: string; id: string; inputs: string; outputs: string; depends_on: string }
interface PendingRow { urn: string; op: string; id: string; started_at: string; props: string | null }
interface LockRow { holder: string; pid: number; host: string; acquired_at: string; operation: string }


export class SqliteStore implements StateStore, ConfigStore {
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    try {
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("foreign_keys = ON");
      this.db.pragma("busy_timeout = 5000");
      this.migrate();
    } catch (error) {
      if (error instanceof StateError) throw error;
      const code = (error as { code?: string }).code;
      const corrupt = code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT";
      throw new StateError(corrupt ? "STATE_CORRUPT" : "STATE_IO", `state ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  private migrate(): void {
    this.db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    const done = new Set((this.db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map((r) => r.version));
    MIGRATIONS.forEach((sql, i) => {
      if (done.has(i + 1)) return;
      this.db.transaction(() => {
        this.db.exec(sql);
        this.db.prepare("INSERT INTO schema_migrations VALUES (?, ?)").run(i + 1, new Date().toISOString());
      })();
    });
  }

  /** Run `write` and bump the stack's serial in one transaction (creating the stack row on first write). */
  private write(stack: string, write: () => void): void {
    this.db.transaction(() => {
      this.db.prepare("INSERT INTO stacks (name, lineage, serial) VALUES (?, ?, 0) ON CONFLICT(name) DO NOTHING").run(stack, randomUUID());
      write();
      this.db.prepare("UPDATE stacks SET serial = serial + 1 WHERE name = ?").run(stack);
    }).immediate();
  }

  async load(stack: string): Promise<StackState> {
    const row = this.db.prepare("SELECT lineage, serial FROM stacks WHERE name = ?").get(stack) as { lineage: string; serial: number } | undefined;
    if (!row) return { stack, lineage: randomUUID(), serial: 0, resources: [], pending: [] };
    const resources = (this.db.prepare("SELECT * FROM resources WHERE stack = ? ORDER BY urn").all(stack) as ResourceRow[]).map((r): ResourceState => ({
      urn: r.urn as Urn, kind: r.kind as ResourceState["kind"], name: r.name, id: r.id,
      inputs: JSON.parse(r.inputs), outputs: JSON.parse(r.outputs), dependsOn: JSON.parse(r.depends_on),
    }));
    const pending = (this.db.prepare("SELECT * FROM pending WHERE stack = ? ORDER BY urn").all(stack) as PendingRow[]).map((p): PendingOperation => ({
      urn: p.urn as Urn, op: p.op as PendingOperation["op"], id: p.id, startedAt: p.started_at,
      ...(p.props ? { props: JSON.parse(p.props) } : {}),
    }));
    return { stack, lineage: row.lineage, serial: row.serial, resources, pending };
  }

  async lock(stack: string, operation: string, options: { timeoutMs?: number } = {}): Promise<StateLock> {
    const deadline = Date.now() + (options.timeoutMs ?? 0);
    for (;;) {
      const info = currentHolder(operation);
      const held = this.tryLock(stack, info);
      if (held === null) return this.lockHandle(stack, info);
      if (Date.now() >= deadline) throw new StateError("STATE_LOCKED", lockedMessage(stack, held));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Take the lock (replacing a stale one); returns the current holder when someone else has it. */
  private tryLock(stack: string, info: LockInfo): LockInfo | null {
    return this.db.transaction((): LockInfo | null => {
      const row = this.db.prepare("SELECT * FROM locks WHERE stack = ?").get(stack) as LockRow | undefined;
      if (row) {
        const holder: LockInfo = { holder: row.holder, pid: row.pid, host: row.host, acquiredAt: row.acquired_at, operation: row.operation };
        if (!isStale(holder)) return holder;
        this.db.prepare("DELETE FROM locks WHERE stack = ?").run(stack);
      }
      this.db.prepare("INSERT INTO locks VALUES (?, ?, ?, ?, ?, ?)").run(stack, info.holder, info.pid, info.host, info.acquiredAt, info.operation);
      return null;
    }).immediate();
  }

  private lockHandle(stack: string, info: LockInfo): StateLock {
    let released = false;
    return {
      info,
      release: async () => {
        if (released) return;
        released = true;
        this.db.prepare("DELETE FROM locks WHERE stack = ? AND pid = ? AND acquired_at = ?").run(stack, info.pid, info.acquiredAt);
      },
    };
  }

  async putResource(stack: string, r: ResourceState): Promise<void> {
    this.write(stack, () => this.upsert(stack, r));
  }

  private upsert(stack: string, r: ResourceState): void {
    this.db.prepare(
      `INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(stack, urn) DO UPDATE SET kind = excluded.kind, name = excluded.name, id = excluded.id,
         inputs = excluded.inputs, outputs = excluded.outputs, depends_on = excluded.depends_on, updated_at = excluded.updated_at`,
    ).run(stack, r.urn, r.kind, r.name, r.id, JSON.stringify(r.inputs), JSON.stringify(r.outputs), JSON.stringify(r.dependsOn), new Date().toISOString());
  }

  async deleteResource(stack: string, urn: Urn): Promise<void> {
    this.write(stack, () => this.db.prepare("DELETE FROM resources WHERE stack = ? AND urn = ?").run(stack, urn));
  }

  async addPending(stack: string, op: PendingOperation): Promise<void> {
    this.write(stack, () => {
      this.db.prepare("INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?, ?, ?)")
        .run(stack, op.urn, op.op, op.id, op.startedAt, op.props ? JSON.stringify(op.props) : null);
    });
  }

  async clearPending(stack: string, urn: Urn): Promise<void> {
    this.write(stack, () => this.db.prepare("DELETE FROM pending WHERE stack = ? AND urn = ?").run(stack, urn));
  }

  async stacks(): Promise<string[]> {
    return (this.db.prepare("SELECT name FROM stacks ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  }

  async appendHistory(entry: HistoryEntry): Promise<void> {
    this.db.prepare("INSERT INTO history (stack, started_at, finished_at, user, command, summary, result) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(entry.stack, entry.startedAt, entry.finishedAt, entry.user, entry.command, JSON.stringify(entry.summary), entry.result);
  }

  async history(stack: string): Promise<HistoryEntry[]> {
    const rows = this.db.prepare("SELECT * FROM history WHERE stack = ? ORDER BY seq").all(stack) as Record<string, string>[];
    return rows.map((r) => ({
      stack: r.stack, startedAt: r.started_at, finishedAt: r.finished_at, user: r.user, command: r.command,
      summary: JSON.parse(r.summary), result: r.result,
    }));
  }

  /**
   * `state mv`: the row moves to `to` (same kind), and every reference to it in the stack's other rows
   * (dependsOn, `$ref` in inputs) follows, in one transaction.
   */
  async renameResource(stack: string, from: Urn, to: Urn): Promise<void> {
    const state = await this.load(stack);
    const moved = state.resources.find((r) => r.urn === from);
    if (!moved) throw new StateError("STATE_NO_RESOURCE", `stack "${stack}" has no resource ${from}`);
    const name = to.slice(to.indexOf(".") + 1);
    const renamed = state.resources.map((r) => renameRefs(r.urn === from ? { ...r, urn: to, name } : r, from, to));
    this.write(stack, () => {
      this.db.prepare("DELETE FROM resources WHERE stack = ? AND urn = ?").run(stack, from);
      for (const r of renamed) this.upsert(stack, r);
    });
  }

  /** `state import`: the stack's resources become exactly `resources` (pending operations cleared), atomically. */
  async replaceResources(stack: string, resources: readonly ResourceState[]): Promise<void> {
    this.write(stack, () => {
      this.db.prepare("DELETE FROM resources WHERE stack = ?").run(stack);
      this.db.prepare("DELETE FROM pending WHERE stack = ?").run(stack);
      for (const r of resources) this.upsert(stack, r);
    });
  }

  async listConfig(stack: string): Promise<ConfigEntry[]> {
    const rows = this.db.prepare("SELECT key, value, secret, updated_at FROM config WHERE stack = ? ORDER BY key").all(stack) as
      { key: string; value: string; secret: number; updated_at: string }[];
    return rows.map((r) => ({ key: r.key, value: r.value, secret: r.secret === 1, updatedAt: r.updated_at }));
  }

  async setConfig(stack: string, e: ConfigEntry): Promise<void> {
    this.db.prepare(
      `INSERT INTO config VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(stack, key) DO UPDATE SET value = excluded.value, secret = excluded.secret, updated_at = excluded.updated_at`,
    ).run(stack, e.key, e.value, e.secret ? 1 : 0, e.updatedAt);
  }

  async removeConfig(stack: string, key: string): Promise<boolean> {
    return this.db.prepare("DELETE FROM config WHERE stack = ? AND key = ?").run(stack, key).changes > 0;
  }

  async secretsKey(stack: string): Promise<SecretsKeyRecord | null> {
    const row = this.db.prepare("SELECT kdf, salt, check_value FROM secrets_keys WHERE stack = ?").get(stack) as
      { kdf: SecretsKeyRecord["kdf"]; salt: string; check_value: string } | undefined;
    return row ? { kdf: row.kdf, salt: row.salt, check: row.check_value } : null;
  }

  async setSecretsKey(stack: string, record: SecretsKeyRecord): Promise<void> {
    this.db.prepare("INSERT OR REPLACE INTO secrets_keys VALUES (?, ?, ?, ?)").run(stack, record.kdf, record.salt, record.check);
  }

  integrityCheck(): string {
    return this.db.pragma("integrity_check", { simple: true }) as string;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** A resource row with every reference to `from` (dependsOn and `$ref`s in inputs) pointing at `to`. */
function renameRefs(r: ResourceState, from: Urn, to: Urn): ResourceState {
  const swap = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(swap);
    if (value && typeof value === "object") {
      const obj = value as Record<string, unknown>;
      if (obj.$ref === from && Object.keys(obj).length === 1) return { $ref: to };
      return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, swap(v)]));
    }
    return value;
  };
  return { ...r, inputs: swap(r.inputs) as ResourceState["inputs"], dependsOn: r.dependsOn.map((d) => (d === from ? to : d)) };
}
