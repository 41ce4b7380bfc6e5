/**
 * The apply lock in PostgreSQL: a session-level advisory lock held on a connection of its own (it
 * dies with a crashed holder's session), plus a row naming the holder for the STATE_LOCKED message.
 */
import { createHash, randomUUID } from "node:crypto";
import type pg from "pg";
import { StateError } from "../../core/errors.js";
import type { LockInfo } from "../../core/state-store.js";
import { currentHolder, isStale, lockedMessage, lockPause, processStartToken } from "../lock-info.js";
import type { AcquiredLock } from "../store-extras.js";
import { lockOf, type LockRow } from "./postgres-rows.js";

/** How long to keep trying when the holder is dead on this host: the server notices its closed socket within moments. */
const STALE_GRACE_MS = 5_000;

/** Two int4 keys for pg_try_advisory_lock(int, int) from the schema and stack name (locks are database-wide). */
export function lockKeys(schema: string, stack: string): [number, number] {
  const digest = createHash("sha256").update(`cinfra:${schema}:${stack}`).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}

const UNKNOWN: LockInfo = { holder: "unknown", pid: 0, host: "unknown", acquiredAt: "unknown", operation: "unknown" };

/** `connect` opens a fresh connection (not from the pool: a held lock must not starve queries). */
export async function acquirePgLock(
  connect: () => Promise<pg.Client>, keys: [number, number], stack: string, operation: string, timeoutMs = 0,
): Promise<AcquiredLock> {
  const client = await connect();
  let deadline = Date.now() + timeoutMs;
  let graced = false;
  try {
    for (;;) {
      const got = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1, $2) AS ok", keys);
      if (got.rows[0].ok) break;
      const row = (await client.query<LockRow>("SELECT * FROM cinfra_locks WHERE stack = $1", [stack])).rows[0];
      const holder = row ? lockOf(row) : UNKNOWN;
      if (row && !graced && isStale(holder, row.pid_start)) {
        graced = true;
        deadline = Math.max(deadline, Date.now() + STALE_GRACE_MS);
      }
      if (Date.now() >= deadline) throw new StateError("STATE_LOCKED", lockedMessage(stack, holder));
      await lockPause(deadline);
    }
    const info = currentHolder(operation);
    // A row still there belongs to a holder whose session ended without releasing: it crashed.
    const left = (await client.query<LockRow>("SELECT * FROM cinfra_locks WHERE stack = $1", [stack])).rows[0];
    const token = randomUUID();
    await client.query(
      `INSERT INTO cinfra_locks (stack, holder, pid, host, acquired_at, operation, pid_start, token) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (stack) DO UPDATE SET holder = $2, pid = $3, host = $4, acquired_at = $5, operation = $6, pid_start = $7, token = $8`,
      [stack, info.holder, info.pid, info.host, info.acquiredAt, info.operation, processStartToken(info.pid), token],
    );
    return handle(client, keys, stack, info, token, left ? lockOf(left) : null);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

function handle(client: pg.Client, keys: [number, number], stack: string, info: LockInfo, token: string, takenOverFrom: LockInfo | null): AcquiredLock {
  let released = false;
  return {
    info,
    takenOverFrom,
    release: async () => {
      if (released) return;
      released = true;
      try {
        await client.query("DELETE FROM cinfra_locks WHERE stack = $1 AND token = $2", [stack, token]);
        await client.query("SELECT pg_advisory_unlock($1, $2)", keys);
      } finally {
        // Closing the session drops the advisory lock even when the queries above failed.
        await client.end().catch(() => undefined);
      }
    },
  };
}
