/** Stop a container: its stop signal, SIGKILL after the timeout, then wait until the shim recorded the exit. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readContainerStatus } from "./status.js";

export interface StopOptions {
  signal?: NodeJS.Signals | string;
  timeoutMs?: number;
}

function send(pid: number, signal: string): void {
  try {
    process.kill(pid, signal as NodeJS.Signals);
  } catch {
    // already gone
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
  const status = readContainerStatus(stateDir);
  if (status.state !== "running" || status.pid === null) return;
  const pid = status.pid;
  const running = () => readContainerStatus(stateDir).state === "running";
  if ((options.timeoutMs ?? 10_000) > 0) {
    send(pid, options.signal ?? "SIGTERM");
    if (await waitUntil(() => !running(), options.timeoutMs ?? 10_000)) return void (await waitForExitRecord(stateDir));
  }
  send(pid, "SIGKILL");
  await waitUntil(() => !running(), 5_000);
  await waitForExitRecord(stateDir);
}

/** The shim writes `exit` right after reaping; give it a moment so the exit code is never lost. */
async function waitForExitRecord(stateDir: string): Promise<void> {
  await waitUntil(() => existsSync(join(stateDir, "exit")), 2_000);
}
