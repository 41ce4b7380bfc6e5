/**
 * State in PostgreSQL, for teams sharing a stack: the same schema and semantics as SQLite (serial per
 * write, lineage, pending operations, history). The apply lock is a session-level advisory lock held
 * on its own connection (it dies with a crashed holder), plus a row naming the holder for the message.
 */
import { createHash, randomUUID } from "node:crypto";
import type pg from "pg";
import { StateError } from "../../core/errors.js";
import type { PendingOperation, ResourceState, StackState, Urn } from "../../core/model/types.js";
import type { HistoryEntry, LockInfo, StateLock, StateStore } from "../../core/state-store.js";
import { currentHolder, lockedMessage } from "../lock-info.js";
import { PG_MIGRATIONS } from "./migrations.js";

type Client = pg.PoolClient;

/** Two int4 keys from the stack name, for pg_try_advisory_lock(int, int). */
function lockKeys(stack: string): [number, number] {
  const digest = createHash("sha256").update(`cinfra:${stack}`).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}

export function redactUrl(url: string): string {
  return url.replace(/:[^:@/]*@/, ":***@");
}

export class PostgresStore implements StateStore {
  private readonly pool: pg.Pool;

  private constructor(readonly url: string, Pool: typeof pg.Pool) {
    this.pool = new Pool({ connectionString: url, max: 4 });
    this.pool.on("error", () => undefined); // an idle client dropped by the server: the next query reconnects
  }

  static async open(url: string): Promise<PostgresStore> {
    const { default: driver } = await import("pg"); // only teams on PostgreSQL pay for loading it
    const store = new PostgresStore(url, driver.Pool);
    try {
      await store.migrate();
    } catch (error) {
      await store.pool.end().catch(() => undefined);
      throw new StateError("STATE_IO", `state ${redactUrl(url)}: ${(error as Error).message}`, { cause: error });
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

  private async transaction<T>(body: (c: Client) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query("BEGIN");
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

  /** Run `write` and bump the stack's serial in one transaction; the row lock serialises writers. */
  private write(stack: string, write: (c: Client) => Promise<unknown>): Promise<void> {
    return this.transaction(async (c) => {
      await c.query("INSERT INTO cinfra_stacks (name, lineage, serial) VALUES ($1, $2, 0) ON CONFLICT (name) DO NOTHING", [stack, randomUUID()]);
      await c.query("SELECT serial FROM cinfra_stacks WHERE name = $1 FOR UPDATE", [stack]);
      await write(c);
      await c.query("UPDATE cinfra_stacks SET serial = serial + 1 WHERE name = $1", [stack]);
    });
  }

  async load(stack: string): Promise<StackState> {
    const head = await this.pool.query<{ lineage: string; serial: string }>("SELECT lineage, serial FROM cinfra_stacks WHERE name = $1", [stack]);
    if (head.rowCount === 0) return { stack, lineage: randomUUID(), serial: 0, resources: [], pending: [] };
    const rows = await this.pool.query("SELECT * FROM cinfra_resources WHERE stack = $1 ORDER BY urn", [stack]);
    const pending = await this.pool.query("SELECT * FROM cinfra_pending WHERE stack = $1 ORDER BY urn", [stack]);
    return {
      stack, lineage: head.rows[0].lineage, serial: Number(head.rows[0].serial),
      resources: rows.rows.map((r): ResourceState => ({
        urn: r.urn, kind: r.kind, name: r.name, id: r.id, inputs: r.inputs, outputs: r.outputs, dependsOn: r.depends_on,
      })),
      pending: pending.rows.map((p): PendingOperation => ({
        urn: p.urn, op: p.op, id: p.id, startedAt: p.started_at, ...(p.props ? { props: p.props } : {}),
      })),
    };
  }

  async lock(stack: string, operation: string, options: { timeoutMs?: number } = {}): Promise<StateLock> {
    const client = await this.pool.connect();
    const [k1, k2] = lockKeys(stack);
    const deadline = Date.now() + (options.timeoutMs ?? 0);
    try {
      for (;;) {
        const got = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", [k1, k2]);
        if (got.rows[0].ok) break;
        if (Date.now() >= deadline) {
          const row = await client.query("SELECT * FROM cinfra_locks WHERE stack = $1", [stack]);
          const r = row.rows[0];
          const holder: LockInfo = r
            ? { holder: r.holder, pid: r.pid, host: r.host, acquiredAt: r.acquired_at, operation: r.operation }
            : { holder: "unknown", pid: 0, host: "unknown", acquiredAt: "unknown", operation: "unknown" };
          throw new StateError("STATE_LOCKED", lockedMessage(stack, holder));
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } catch (error) {
      client.release();
      throw error;
    }
    const info = currentHolder(operation);
    // A row left by a holder that crashed is stale: its advisory lock died with its session.
    await client.query(
      `INSERT INTO cinfra_locks VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (stack) DO UPDATE SET holder = $2, pid = $3, host = $4, acquired_at = $5, operation = $6`,
      [stack, info.holder, info.pid, info.host, info.acquiredAt, info.operation],
    );
    let released = false;
    return {
      info,
      release: async () => {
        if (released) return;
        released = true;
        try {
          await client.query("DELETE FROM cinfra_locks WHERE stack = $1 AND pid = $2 AND acquired_at = $3", [stack, info.pid, info.acquiredAt]);
          await client.query("SELECT pg_advisory_unlock($1, $2)", [k1, k2]);
        } finally {
          client.release();
        }
      },
    };
  }

  async putResource(stack: string, r: ResourceState): Promise<void> {
    await this.write(stack, (c) => c.query(
      `INSERT INTO cinfra_resources (stack, urn, kind, name, id, inputs, outputs, depends_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (stack, urn) DO UPDATE SET kind = $3, name = $4, id = $5, inputs = $6, outputs = $7, depends_on = $8, updated_at = now()`,
      [stack, r.urn, r.kind, r.name, r.id, JSON.stringify(r.inputs), JSON.stringify(r.outputs), JSON.stringify(r.dependsOn)],
    ));
  }

  async deleteResource(stack: string, urn: Urn): Promise<void> {
    await this.write(stack, (c) => c.query("DELETE FROM cinfra_resources WHERE stack = $1 AND urn = $2", [stack, urn]));
  }

  async addPending(stack: string, op: PendingOperation): Promise<void> {
    await this.write(stack, (c) => c.query(
      `INSERT INTO cinfra_pending VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (stack, urn) DO UPDATE SET op = $3, id = $4, started_at = $5, props = $6`,
      [stack, op.urn, op.op, op.id, op.startedAt, op.props ? JSON.stringify(op.props) : null],
    ));
  }

  async clearPending(stack: string, urn: Urn): Promise<void> {
    await this.write(stack, (c) => c.query("DELETE FROM cinfra_pending WHERE stack = $1 AND urn = $2", [stack, urn]));
  }

  async stacks(): Promise<string[]> {
    return (await this.pool.query<{ name: string }>("SELECT name FROM cinfra_stacks ORDER BY name")).rows.map((r) => r.name);
  }

  async appendHistory(e: HistoryEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO cinfra_history (stack, started_at, finished_at, "user", command, summary, result) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [e.stack, e.startedAt, e.finishedAt, e.user, e.command, JSON.stringify(e.summary), e.result],
    );
  }

  async history(stack: string): Promise<HistoryEntry[]> {
    const rows = await this.pool.query(`SELECT * FROM cinfra_history WHERE stack = $1 ORDER BY seq`, [stack]);
    return rows.rows.map((r) => ({
      stack: r.stack, startedAt: r.started_at, finishedAt: r.finished_at, user: r.user, command: r.command, summary: r.summary, result: r.result,
    }));
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
