/**
 * The apply lock in SQLite: one row per stack, taken in an IMMEDIATE transaction so two processes
 * cannot both see it free. A row whose holder died on this host is stale and replaced.
 */
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { StateError } from "../../core/errors.js";
import type { LockInfo } from "../../core/state-store.js";
import { currentHolder, isStale, lockedMessage, lockPause, processStartToken } from "../lock-info.js";
import type { AcquiredLock } from "../store-extras.js";
import { lockOf, type LockRow } from "./sqlite-rows.js";

type Attempt = { taken: true; token: string; takenOverFrom: LockInfo | null } | { taken: false; holder: LockInfo };

/** `guard` maps SQLite failures to StateError (the store's path in the message). */
export async function acquireSqliteLock(
  db: Database.Database, guard: <T>(fn: () => T) => T, stack: string, operation: string, timeoutMs = 0,
): Promise<AcquiredLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = currentHolder(operation);
    const attempt = guard(() => tryLock(db, stack, info));
    if (attempt.taken) return handle(db, guard, stack, info, attempt.token, attempt.takenOverFrom);
    if (Date.now() >= deadline) throw new StateError("STATE_LOCKED", lockedMessage(stack, attempt.holder));
    await lockPause(deadline);
  }
}

function tryLock(db: Database.Database, stack: string, info: LockInfo): Attempt {
  return db.transaction((): Attempt => {
    const row = db.prepare("SELECT * FROM locks WHERE stack = ?").get(stack) as LockRow | undefined;
    let takenOverFrom: LockInfo | null = null;
    if (row) {
      const holder = lockOf(row);
      if (!isStale(holder, row.pid_start)) return { taken: false, holder };
      takenOverFrom = holder;
      db.prepare("DELETE FROM locks WHERE stack = ?").run(stack);
    }
    const token = randomUUID();
    db.prepare("INSERT INTO locks (stack, holder, pid, host, acquired_at, operation, pid_start, token) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(stack, info.holder, info.pid, info.host, info.acquiredAt, info.operation, processStartToken(info.pid), token);
    return { taken: true, token, takenOverFrom };
  }).immediate();
}

function handle(
  db: Database.Database, guard: <T>(fn: () => T) => T, stack: string, info: LockInfo, token: string, takenOverFrom: LockInfo | null,
): AcquiredLock {
  let released = false;
  return {
    info,
    takenOverFrom,
    release: async () => {
      if (released || !db.open) return;
      released = true;
      // Only our own row: a holder that took over after we were declared stale keeps its lock.
      guard(() => db.prepare("DELETE FROM locks WHERE stack = ? AND token = ?").run(stack, token));
    },
  };
}
