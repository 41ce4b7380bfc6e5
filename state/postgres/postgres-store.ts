/**
 * State in PostgreSQL, for teams sharing a stack: the same schema and semantics as SQLite (serial per
 * write, lineage, pending operations, history, config). Tables live in the connection's current
 * schema (`?options=-c search_path=…` picks another); locks are advisory (postgres-lock.ts).
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { StateError } from "../../core/errors.js";
import type { PendingOperation, ResourceState, StackState, Urn } from "../../core/model/types.js";
import type { HistoryEntry } from "../../core/state-store.js";
import type { SecretsKeyRecord } from "../secrets/cipher.js";
import type { ConfigEntry } from "../secrets/config-store.js";
import { renamedRows } from "../rename-resource.js";
import { storedOptionsField } from "../stored-options.js";
import { STACK_EXPORT_FORMAT, type AcquiredLock, type FullStateStore, type StackExport } from "../store-extras.js";
import { pgFailure, redactUrl } from "./postgres-errors.js";
import { acquirePgLock, lockKeys } from "./postgres-lock.js";
import { PG_MIGRATIONS } from "./migrations.js";
import { readConfig, readHistory, readSecretsKey, readStack } from "./postgres-rows.js";

export { redactUrl } from "./postgres-errors.js";

type Driver = typeof import("pg").default;

/** Connect to `url` (postgres://…) and bring its schema up to date. */
export function openPostgresStore(url: string): Promise<PostgresStore> {
  return PostgresStore.open(url);
}

export class PostgresStore implements FullStateStore {
  private readonly pool: pg.Pool;
  private schema = "public";

  private constructor(readonly url: string, private readonly driver: Driver) {
    this.pool = new driver.Pool({ connectionString: url, max: 4 });
    this.pool.on("error", () => undefined); // an idle client dropped by the server: the next query reconnects
  }

  static async open(url: string): Promise<PostgresStore> {
    const { default: driver } = await import("pg"); // only teams on PostgreSQL pay for loading it
    const store = new PostgresStore(url, driver);
    try {
      await store.migrate();
      store.schema = (await store.pool.query<{ s: string }>("SELECT current_schema() AS s")).rows[0].s;
    } catch (error) {
      await store.pool.end().catch(() => undefined);
      const mapped = pgFailure(error, url);
      throw mapped instanceof StateError ? mapped : new StateError("STATE_IO", `state ${redactUrl(url)}: ${(error as Error).message}`, { cause: error });
    }
    return store;
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (c) => {
      await c.query("SELECT pg_advisory_xact_lock(4242, 1)"); // one migrator at a time
      await c.query("CREATE TABLE IF NOT EXISTS cinfra_schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
      const done = new Set((await c.query<{ version: number }>("SELECT version FROM cinfra_schema_migrations")).rows.map((r) => r.version));
      for (const [i, sql] of PG_MIGRATIONS.entries()) {
        if (done.has(i + 1)) continue;
        await c.query(sql);
        await c.query("INSERT INTO cinfra_schema_migrations (version) VALUES ($1)", [i + 1]);
      }
    });
  }

  /** Run `fn`, turning pg failures into StateError naming this server. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw pgFailure(error, this.url);
    }
  }

  private async transaction<T>(body: (c: pg.PoolClient) => Promise<T>, begin = "BEGIN"): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query(begin);
      const result = await body(c);
      await c.query("COMMIT");
      return result;
    } catch (error) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      c.release();
    }
  }

  /** A consistent snapshot across several queries. */
  private snapshot<T>(body: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.guard(() => this.transaction(body, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  }

  /** Run `write` and bump the stack's serial in one transaction; the stack row's lock serialises writers. */
  private write(stack: string, write: (c: pg.PoolClient) => Promise<unknown>): Promise<void> {
    return this.guard(() => this.transaction(async (c) => {
      await c.query("INSERT INTO cinfra_stacks (name, lineage, serial) VALUES ($1, $2, 0) ON CONFLICT (name) DO NOTHING", [stack, randomUUID()]);
      await c.query("SELECT serial FROM cinfra_stacks WHERE name = $1 FOR UPDATE", [stack]);
      await write(c);
      await c.query("UPDATE cinfra_stacks SET serial = serial + 1 WHERE name = $1", [stack]);
    }));
  }

  load(stack: string): Promise<StackState> {
    return this.snapshot((c) => readStack(c, stack));
  }

  async lock(stack: string, operation: string, options: { timeoutMs?: number } = {}): Promise<AcquiredLock> {
    const connect = async () => {
      const client = new this.driver.Client({ connectionString: this.url });
      client.on("error", () => undefined); // a dropped lock session surfaces on release; it must not crash the process
      await client.connect();
      return client;
    };
    const lock = await this.guard(() => acquirePgLock(connect, lockKeys(this.schema, stack), stack, operation, options.timeoutMs));
    return { ...lock, release: () => this.guard(() => lock.release()) };
  }

  private upsert(c: pg.ClientBase, stack: string, r: ResourceState): Promise<unknown> {
    return c.query(
      `INSERT INTO cinfra_resources (stack, urn, kind, name, id, inputs, outputs, depends_on, options) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (stack, urn) DO UPDATE SET kind = $3, name = $4, id = $5, inputs = $6, outputs = $7, depends_on = $8, options = $9, updated_at = now()`,
      [stack, r.urn, r.kind, r.name, r.id, JSON.stringify(r.inputs), JSON.stringify(r.outputs), JSON.stringify(r.dependsOn),
        JSON.stringify(storedOptionsField(r.options).options ?? {})],
    );
  }

  private insertPending(c: pg.ClientBase, stack: string, op: PendingOperation): Promise<unknown> {
    return c.query(
      `INSERT INTO cinfra_pending (stack, urn, op, id, started_at, props) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (stack, urn) DO UPDATE SET op = $3, id = $4, started_at = $5, props = $6`,
      [stack, op.urn, op.op, op.id, op.startedAt, op.props ? JSON.stringify(op.props) : null],
    );
  }

  putResource(stack: string, r: ResourceState): Promise<void> {
    return this.write(stack, (c) => this.upsert(c, stack, r));
  }

  deleteResource(stack: string, urn: Urn): Promise<void> {
    return this.write(stack, (c) => c.query("DELETE FROM cinfra_resources WHERE stack = $1 AND urn = $2", [stack, urn]));
  }

  addPending(stack: string, op: PendingOperation): Promise<void> {
    return this.write(stack, (c) => this.insertPending(c, stack, op));
  }

  clearPending(stack: string, urn: Urn): Promise<void> {
    return this.write(stack, (c) => c.query("DELETE FROM cinfra_pending WHERE stack = $1 AND urn = $2", [stack, urn]));
  }

  stacks(): Promise<string[]> {
    return this.guard(async () => (await this.pool.query<{ name: string }>("SELECT name FROM cinfra_stacks ORDER BY name COLLATE \"C\"")).rows.map((r) => r.name));
  }

  async appendHistory(e: HistoryEntry): Promise<void> {
    await this.guard(() => this.pool.query(
      `INSERT INTO cinfra_history (stack, started_at, finished_at, "user", command, summary, result) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [e.stack, e.startedAt, e.finishedAt, e.user, e.command, JSON.stringify(e.summary ?? null), e.result],
    ));
  }

  history(stack: string): Promise<HistoryEntry[]> {
    return this.guard(() => readHistory(this.pool, stack));
  }

  renameResource(stack: string, from: Urn, to: Urn): Promise<void> {
    return this.write(stack, async (c) => {
      const state = await readStack(c, stack);
      const rows = renamedRows(stack, state.resources, state.pending, from, to);
      await c.query("DELETE FROM cinfra_resources WHERE stack = $1 AND urn = $2", [stack, from]);
      for (const r of rows) await this.upsert(c, stack, r);
    });
  }

  replaceResources(stack: string, resources: readonly ResourceState[]): Promise<void> {
    return this.write(stack, async (c) => {
      await c.query("DELETE FROM cinfra_resources WHERE stack = $1", [stack]);
      await c.query("DELETE FROM cinfra_pending WHERE stack = $1", [stack]);
      for (const r of resources) await this.upsert(c, stack, r);
    });
  }

  exportStack(stack: string): Promise<StackExport> {
    return this.snapshot(async (c) => {
      const state = await readStack(c, stack);
      return {
        format: STACK_EXPORT_FORMAT, version: 1, exportedAt: new Date().toISOString(), stack, lineage: state.lineage, serial: state.serial,
        resources: state.resources, pending: state.pending, config: await readConfig(c, stack), secretsKey: await readSecretsKey(c, stack),
      };
    });
  }

  async importStack(data: StackExport, options: { stack?: string } = {}): Promise<void> {
    const stack = options.stack ?? data.stack;
    await this.guard(() => this.transaction(async (c) => {
      await c.query(
        `INSERT INTO cinfra_stacks (name, lineage, serial) VALUES ($1, $2, $3 + 1)
         ON CONFLICT (name) DO UPDATE SET lineage = $2, serial = GREATEST(cinfra_stacks.serial, $3) + 1`,
        [stack, data.lineage, data.serial],
      );
      await c.query("DELETE FROM cinfra_resources WHERE stack = $1", [stack]);
      await c.query("DELETE FROM cinfra_pending WHERE stack = $1", [stack]);
      for (const r of data.resources) await this.upsert(c, stack, r);
      for (const p of data.pending) await this.insertPending(c, stack, p);
      if (!data.config.length && !data.secretsKey) return; // a file from a store without config leaves the stack's config alone
      await c.query("DELETE FROM cinfra_config WHERE stack = $1", [stack]);
      if (data.secretsKey) await this.writeSecretsKey(c, stack, data.secretsKey);
      for (const e of data.config) await this.writeConfig(c, stack, e);
    }));
  }

  listConfig(stack: string): Promise<ConfigEntry[]> {
    return this.guard(() => readConfig(this.pool, stack));
  }

  async setConfig(stack: string, e: ConfigEntry): Promise<void> {
    await this.guard(() => this.writeConfig(this.pool, stack, e));
  }

  private writeConfig(c: pg.Pool | pg.ClientBase, stack: string, e: ConfigEntry): Promise<unknown> {
    return c.query(
      `INSERT INTO cinfra_config (stack, key, value, secret, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (stack, key) DO UPDATE SET value = $3, secret = $4, updated_at = $5`,
      [stack, e.key, e.value, e.secret, e.updatedAt],
    );
  }

  removeConfig(stack: string, key: string): Promise<boolean> {
    return this.guard(async () => ((await this.pool.query("DELETE FROM cinfra_config WHERE stack = $1 AND key = $2", [stack, key])).rowCount ?? 0) > 0);
  }

  secretsKey(stack: string): Promise<SecretsKeyRecord | null> {
    return this.guard(() => readSecretsKey(this.pool, stack));
  }

  async setSecretsKey(stack: string, record: SecretsKeyRecord): Promise<void> {
    await this.guard(() => this.writeSecretsKey(this.pool, stack, record));
  }

  private writeSecretsKey(c: pg.Pool | pg.ClientBase, stack: string, record: SecretsKeyRecord): Promise<unknown> {
    return c.query(
      `INSERT INTO cinfra_secrets_keys (stack, kdf, salt, check_value) VALUES ($1, $2, $3, $4)
       ON CONFLICT (stack) DO UPDATE SET kdf = $2, salt = $3, check_value = $4`,
      [stack, record.kdf, record.salt, record.check],
    );
  }

  /**
   * "ok", or what is wrong: a schema version this cinfra does not know, or rows of the wrong shape.
   * (Page-level checks need superuser extensions; the server guards its own pages.)
   */
  integrityCheck(): Promise<string> {
    return this.snapshot(async (c) => {
      const problems: string[] = [];
      const version = (await c.query<{ v: number | null }>("SELECT max(version) AS v FROM cinfra_schema_migrations")).rows[0].v ?? 0;
      if (version !== PG_MIGRATIONS.length) problems.push(`schema version ${version}, expected ${PG_MIGRATIONS.length}`);
      const bad = await c.query<{ stack: string; urn: string }>(
        `SELECT stack, urn FROM cinfra_resources WHERE urn <> kind || '.' || name OR jsonb_typeof(inputs) <> 'object'
           OR jsonb_typeof(outputs) <> 'object' OR jsonb_typeof(depends_on) <> 'array' ORDER BY stack, urn`);
      for (const r of bad.rows) problems.push(`stack ${r.stack}: resource ${r.urn} is malformed`);
      return problems.length ? problems.join("\n") : "ok";
    });
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  toString(): string {
    return `PostgresStore(${redactUrl(this.url)})`;
  }
}
