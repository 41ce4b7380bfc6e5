import { hostname, userInfo } from "node:os";
import type { LockInfo } from "../core/state-store.js";

/** Who is taking a lock: user@host, this pid, now. */
export function currentHolder(operation: string): LockInfo {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { holder: `${user}@${hostname()}`, pid: process.pid, host: hostname(), acquiredAt: new Date().toISOString(), operation };
}

/** A lock held by a process that no longer exists on this host can be taken over. */
export function isStale(info: LockInfo): boolean {
  if (info.host !== hostname()) return false;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export function lockedMessage(stack: string, info: LockInfo): string {
  return `stack "${stack}" is locked by ${info.holder} (pid ${info.pid} on ${info.host}, ${info.operation} since ${info.acquiredAt}); ` +
    "wait for it to finish, or pass --lock-timeout to wait";
}
