import { readFileSync } from "node:fs";
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

/**
 * Boot id plus the process start time (clock ticks since boot, /proc/<pid>/stat field 22): tells a
 * live holder apart from an unrelated process that reused its pid, after a reboot or pid wrap-around.
 * Null when /proc cannot say (not Linux, hidepid): the pid check alone then decides.
 */
export function processStartToken(pid: number): string | null {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = fields[22 - 3];
    return start ? `${boot}:${start}` : null;
  } catch {
    return null;
  }
}

/**
 * A lock held by a process that no longer exists on this host can be taken over: its pid is gone, or
 * now belongs to a process started after the lock was taken (`startToken` recorded with the lock).
 */
export function isStale(info: LockInfo, startToken: string | null = null): boolean {
  if (info.host !== hostname()) return false;
  try {
    process.kill(info.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  if (startToken === null) return false;
  const now = processStartToken(info.pid);
  return now !== null && now !== startToken;
}

export function lockedMessage(stack: string, info: LockInfo): string {
  return `stack "${stack}" is locked by ${info.holder} (pid ${info.pid} on ${info.host}, ${info.operation} since ${info.acquiredAt}); ` +
    "wait for it to finish, or pass --lock-timeout to wait";
}

/** Poll interval while waiting for a lock: short enough to feel prompt, never past the deadline. */
export function lockPause(deadline: number): Promise<void> {
  const ms = Math.max(10, Math.min(200, deadline - Date.now()));
  return new Promise((resolve) => setTimeout(resolve, ms));
}
