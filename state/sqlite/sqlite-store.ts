/**
 * The default state store: one SQLite file (better-sqlite3, WAL, foreign keys on). Every write
 * runs in a transaction that also bumps the stack's serial, so a crash loses at most the write
 * in flight and `PRAGMA integrity_check` stays clean.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { PendingOperation, ResourceState, StackState, Urn } from "../../core/model/types.js";
import type { HistoryEntry } from "../../core/state-store.js";
export type { HistoryEntry } from "../../core/state-store.js";
import type { SecretsKeyRecord } from "../secrets/cipher.js";
import type { ConfigEntry } from "../secrets/config-store.js";
import { renamedRows } from "../rename-resource.js";
import { storedOptionsField } from "../stored-options.js";
import { STACK_EXPORT_FORMAT, type AcquiredLock, type FullStateStore, type StackExport } from "../store-extras.js";
import { MIGRATIONS } from "./migrations.js";
import { isCorruptError, openFailure, sqliteFailure } from "./sqlite-errors.js";
import { acquireSqliteLock } from "./sqlite-lock.js";
import { configOf, historyOf, pendingOf, resourceOf, type ConfigRow, type HistoryRow, type PendingRow, type ResourceRow } from "./sqlite-rows.js";

/** Open (creating it and its parent directories when missing) the SQLite state file at `path`. */
export async function openSqliteStore(path: string): Promise<SqliteStore> {
  return new SqliteStore(path);
}

export class SqliteStore implements FullStateStore {
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    try {
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      this.db = new Database(path);
    } catch (error) {
      throw openFailure(error, path);
    }
    try {
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("foreign_keys = ON");
      this.db.pragma("busy_timeout = 5000");
      this.migrate();
    } catch (error) {
      this.db.close();
      throw openFailure(error, path);
    }
  }

  private migrate(): void {
    this.db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    this.db.transaction(() => {
      const done = new Set((this.db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map((r) => r.version));
      MIGRATIONS.forEach((sql, i) => {
        if (done.has(i + 1)) return;
        this.db.exec(sql);
        this.db.prepare("INSERT INTO schema_migrations VALUES (?, ?)").run(i + 1, new Date().toISOString());
      });
    }).immediate(); // two processes opening a new file at once: one migrates, the other waits and sees it done
  }

  /** Run `fn`, turning SQLite failures into StateError naming this file. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw sqliteFailure(error, this.path);
    }
  }

  /** Run `write` and bump the stack's serial in one transaction (creating the stack row on first write). */
  private write(stack: string, write: () => void): void {
    this.guard(() => this.db.transaction(() => {
      this.db.prepare("INSERT INTO stacks (name, lineage, serial) VALUES (?, ?, 0) ON CONFLICT(name) DO NOTHING").run(stack, randomUUID());
      write();
      this.db.prepare("UPDATE stacks SET serial = serial + 1 WHERE name = ?").run(stack);
    }).immediate());
  }

  async load(stack: string): Promise<StackState> {
    return this.guard(() => this.db.transaction(() => this.readStack(stack))());
  }

  private readStack(stack: string): StackState {
    const row = this.db.prepare("SELECT lineage, serial FROM stacks WHERE name = ?").get(stack) as { lineage: string; serial: number } | undefined;
    if (!row) return { stack, lineage: randomUUID(), serial: 0, resources: [], pending: [] };
    const resources = (this.db.prepare("SELECT * FROM resources WHERE stack = ? ORDER BY urn").all(stack) as ResourceRow[]).map(resourceOf);
    const pending = (this.db.prepare("SELECT * FROM pending WHERE stack = ? ORDER BY urn").all(stack) as PendingRow[]).map(pendingOf);
    return { stack, lineage: row.lineage, serial: row.serial, resources, pending };
  }

  lock(stack: string, operation: string, options: { timeoutMs?: number } = {}): Promise<AcquiredLock> {
    return acquireSqliteLock(this.db, (fn) => this.guard(fn), stack, operation, options.timeoutMs);
  }

  async putResource(stack: string, r: ResourceState): Promise<void> {
    this.write(stack, () => this.upsert(stack, r));
  }

  private upsert(stack: string, r: ResourceState): void {
    this.db.prepare(
      `INSERT INTO resources (stack, urn, kind, name, id, inputs, outputs, depends_on, updated_at, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(stack, urn) DO UPDATE SET kind = excluded.kind, name = excluded.name, id = excluded.id, inputs = excluded.inputs,
         outputs = excluded.outputs, depends_on = excluded.depends_on, updated_at = excluded.updated_at, options = excluded.options`,
    ).run(stack, r.urn, r.kind, r.name, r.id, JSON.stringify(r.inputs), JSON.stringify(r.outputs), JSON.stringify(r.dependsOn),
      new Date().toISOString(), JSON.stringify(storedOptionsField(r.options).options ?? {}));
  }

  private insertPending(stack: string, op: PendingOperation): void {
    this.db.prepare("INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?, ?, ?)")
      .run(stack, op.urn, op.op, op.id, op.startedAt, op.props ? JSON.stringify(op.props) : null);
  }

  async deleteResource(stack: string, urn: Urn): Promise<void> {
    this.write(stack, () => this.db.prepare("DELETE FROM resources WHERE stack = ? AND urn = ?").run(stack, urn));
  }

  async addPending(stack: string, op: PendingOperation): Promise<void> {
    this.write(stack, () => this.insertPending(stack, op));
  }

  async clearPending(stack: string, urn: Urn): Promise<void> {
    this.write(stack, () => this.db.prepare("DELETE FROM pending WHERE stack = ? AND urn = ?").run(stack, urn));
  }

  async stacks(): Promise<string[]> {
    return this.guard(() => (this.db.prepare("SELECT name FROM stacks ORDER BY name").all() as { name: string }[]).map((r) => r.name));
  }

  async appendHistory(entry: HistoryEntry): Promise<void> {
    this.guard(() => this.db.prepare("INSERT INTO history (stack, started_at, finished_at, user, command, summary, result) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(entry.stack, entry.startedAt, entry.finishedAt, entry.user, entry.command, JSON.stringify(entry.summary ?? null), entry.result));
  }

  async history(stack: string): Promise<HistoryEntry[]> {
    return this.guard(() => (this.db.prepare("SELECT * FROM history WHERE stack = ? ORDER BY seq").all(stack) as HistoryRow[]).map(historyOf));
  }

  async renameResource(stack: string, from: Urn, to: Urn): Promise<void> {
    this.write(stack, () => {
      const state = this.readStack(stack);
      const rows = renamedRows(stack, state.resources, state.pending, from, to);
      this.db.prepare("DELETE FROM resources WHERE stack = ? AND urn = ?").run(stack, from);
      for (const r of rows) this.upsert(stack, r);
    });
  }

  async replaceResources(stack: string, resources: readonly ResourceState[]): Promise<void> {
    this.write(stack, () => {
      this.db.prepare("DELETE FROM resources WHERE stack = ?").run(stack);
      this.db.prepare("DELETE FROM pending WHERE stack = ?").run(stack);
      for (const r of resources) this.upsert(stack, r);
    });
  }

  async exportStack(stack: string): Promise<StackExport> {
    return this.guard(() => this.db.transaction((): StackExport => {
      const state = this.readStack(stack);
      return {
        format: STACK_EXPORT_FORMAT, version: 1, exportedAt: new Date().toISOString(), stack, lineage: state.lineage, serial: state.serial,
        resources: state.resources, pending: state.pending, config: this.readConfig(stack), secretsKey: this.readSecretsKey(stack),
      };
    })());
  }

  async importStack(data: StackExport, options: { stack?: string } = {}): Promise<void> {
    const stack = options.stack ?? data.stack;
    this.guard(() => this.db.transaction(() => {
      const current = this.db.prepare("SELECT serial FROM stacks WHERE name = ?").get(stack) as { serial: number } | undefined;
      const serial = Math.max(current?.serial ?? 0, data.serial) + 1;
      this.db.prepare("INSERT INTO stacks VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET lineage = excluded.lineage, serial = excluded.serial")
        .run(stack, data.lineage, serial);
      this.db.prepare("DELETE FROM resources WHERE stack = ?").run(stack);
      this.db.prepare("DELETE FROM pending WHERE stack = ?").run(stack);
      for (const r of data.resources) this.upsert(stack, r);
      for (const p of data.pending) this.insertPending(stack, p);
      if (!data.config.length && !data.secretsKey) return; // a file from a store without config leaves the stack's config alone
      this.db.prepare("DELETE FROM config WHERE stack = ?").run(stack);
      if (data.secretsKey) this.writeSecretsKey(stack, data.secretsKey);
      for (const e of data.config) this.writeConfig(stack, e);
    }).immediate());
  }

  async listConfig(stack: string): Promise<ConfigEntry[]> {
    return this.guard(() => this.readConfig(stack));
  }

  private readConfig(stack: string): ConfigEntry[] {
    return (this.db.prepare("SELECT key, value, secret, updated_at FROM config WHERE stack = ? ORDER BY key").all(stack) as ConfigRow[]).map(configOf);
  }

  async setConfig(stack: string, e: ConfigEntry): Promise<void> {
    this.guard(() => this.writeConfig(stack, e));
  }

  private writeConfig(stack: string, e: ConfigEntry): void {
    this.db.prepare(
      `INSERT INTO config VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(stack, key) DO UPDATE SET value = excluded.value, secret = excluded.secret, updated_at = excluded.updated_at`,
    ).run(stack, e.key, e.value, e.secret ? 1 : 0, e.updatedAt);
  }

  async removeConfig(stack: string, key: string): Promise<boolean> {
    return this.guard(() => this.db.prepare("DELETE FROM config WHERE stack = ? AND key = ?").run(stack, key).changes > 0);
  }

  async secretsKey(stack: string): Promise<SecretsKeyRecord | null> {
    return this.guard(() => this.readSecretsKey(stack));
  }

  private readSecretsKey(stack: string): SecretsKeyRecord | null {
    const row = this.db.prepare("SELECT kdf, salt, check_value FROM secrets_keys WHERE stack = ?").get(stack) as
      { kdf: SecretsKeyRecord["kdf"]; salt: string; check_value: string } | undefined;
    return row ? { kdf: row.kdf, salt: row.salt, check: row.check_value } : null;
  }

  async setSecretsKey(stack: string, record: SecretsKeyRecord): Promise<void> {
    this.guard(() => this.writeSecretsKey(stack, record));
  }

  private writeSecretsKey(stack: string, record: SecretsKeyRecord): void {
    this.db.prepare("INSERT OR REPLACE INTO secrets_keys VALUES (?, ?, ?, ?)").run(stack, record.kdf, record.salt, record.check);
  }

  /**
   * `PRAGMA integrity_check` then `foreign_key_check`: "ok", or the problems found one per line (a page
   * too damaged to read says so too).
   */
  integrityCheck(): string {
    try {
      const rows = this.db.pragma("integrity_check") as { integrity_check: string }[];
      const pages = rows.map((r) => r.integrity_check).join("\n");
      if (pages !== "ok") return pages;
      const orphans = this.db.pragma("foreign_key_check") as { table: string; rowid: number; parent: string }[];
      return orphans.length ? orphans.map((o) => `${o.table} row ${o.rowid} has no ${o.parent} row`).join("\n") : "ok";
    } catch (error) {
      if (isCorruptError(error)) return (error as Error).message;
      throw sqliteFailure(error, this.path);
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
