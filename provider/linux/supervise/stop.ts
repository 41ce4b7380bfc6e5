/** Stop a container: mark it stopped (no restart), its stop signal, SIGKILL after the timeout, then wait for the shim's record. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readContainerStatus, shimAlive } from "./status.js";
import { ensureSupervised } from "./adopt.js";

export interface StopOptions {
  signal?: NodeJS.Signals | string;
  timeoutMs?: number;
}

function send(pid: number, signal: string): void {
  try {
    process.kill(pid, signal as NodeJS.Signals);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error; // gone already is fine; a bad signal name is not
  }
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; !done(); delay = Math.min(delay * 2, 50)) {
    if (Date.now() >= deadline) return false;
    await sleep(delay);
  }
  return true;
}

export async function stopContainer(stateDir: string, options: StopOptions = {}): Promise<void> {
  // First, so the shim does not restart what we stop (restart policies).
  const requestedAt = Date.now();
  try {
    writeFileSync(join(stateDir, "stopped"), `${requestedAt}\n`);
  } catch {
    return; // no state dir: nothing runs
  }
  // An orphaned container gets a shim first, so its exit is recorded (and, being stopped, not restarted).
  await ensureSupervised(stateDir);
  const status = readContainerStatus(stateDir);
  if (status.state === "running" && status.pid !== null) {
    const running = () => readContainerStatus(stateDir).state === "running";
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (timeoutMs > 0) send(status.pid, options.signal ?? "SIGTERM");
    if (timeoutMs <= 0 || !(await waitUntil(() => !running(), timeoutMs))) {
      send(status.pid, "SIGKILL");
      await waitUntil(() => !running(), 5_000);
    }
  }
  // The shim writes `exit` (durably) right after reaping, then leaves: once that record is from this stop, the exit
  // code is safe and nothing restarts, so its exit need not be awaited (tearing down its inotify instance alone
  // takes the kernel ~10 ms). A shim in a restart back-off writes no new record: then wait for it to go.
  await waitUntil(() => !shimAlive(stateDir) || (readContainerStatus(stateDir).finishedAt ?? 0) >= requestedAt - 1, 2_000);
}

/** Record the restart policy where the shim reads it at every exit (so updating it is live). */
export function writeRestartPolicy(stateDir: string, policy: string | undefined): void {
  const [mode, max] = (policy ?? "no").split(":");
  writeFileSync(join(stateDir, "restart"), `${mode} ${max ?? 0}\n`);
}

export function readRestartPolicy(stateDir: string): string {
  try {
    const [mode, max] = readFileSync(join(stateDir, "restart"), "utf8").trim().split(" ");
    return mode === "on-failure" && max !== "0" ? `${mode}:${max}` : mode;
  } catch {
    return "no";
  }
}
