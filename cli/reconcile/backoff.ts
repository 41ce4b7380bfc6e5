/**
 * When the next tick runs: one interval after a good tick; after failures, sooner at first (a
 * passing hiccup heals quickly) and then doubling, up to ten intervals, so a broken repository or
 * host is not hammered.
 */
export const MAX_BACKOFF_INTERVALS = 10;

export function nextDelayMs(consecutiveFailures: number, intervalMs: number): number {
  if (consecutiveFailures <= 0) return intervalMs;
  const first = Math.min(intervalMs, 5_000);
  return Math.min(first * 2 ** (consecutiveFailures - 1), intervalMs * MAX_BACKOFF_INTERVALS);
}
