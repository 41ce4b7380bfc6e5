/**
 * The caller's side of a shared-memory hand-over (write-behind.ts): wait until
 * a worker's progress counter reaches a target. The caller raises a flag first, so the worker
 * calls Atomics.notify (a futex wake) only when somebody waits. A worker that makes no progress at
 * all for STALL_MS has died (its 'error' event cannot run while this thread waits): that is an
 * error, not a hang.
 */
import { RuntimeError } from "../../../core/errors.js";

const STALL_MS = 60_000;

export function waitForProgress(control: Int32Array, counter: number, waitingFlag: number, target: number, what: string): void {
  let seen = Atomics.load(control, counter);
  if (seen >= target) return;
  Atomics.store(control, waitingFlag, 1);
  try {
    let since = Date.now();
    while (seen < target) {
      Atomics.wait(control, counter, seen, 100);
      const now = Atomics.load(control, counter);
      if (now !== seen) since = Date.now();
      else if (Date.now() - since > STALL_MS) throw new RuntimeError("LAYER_WORKER_STALLED", `${what} worker made no progress for ${STALL_MS / 1000} s`);
      seen = now;
    }
  } finally {
    Atomics.store(control, waitingFlag, 0);
  }
}
