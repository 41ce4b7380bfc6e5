/**
 * `cinfra reconcile`: a GitOps loop on one host. One tick at a time; a failed tick is logged and
 * retried with back-off; SIGTERM or SIGINT stops it after the tick in flight.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { ValidationError } from "../../core/errors.js";
import { defaultRuntimeConfig } from "../../provider/linux/config.js";
import { openStore, stackName, type GlobalOptions } from "../context.js";
import { EXIT, formatError } from "../exit-codes.js";
import { nextDelayMs } from "./backoff.js";
import { GitSource } from "./git-source.js";
import { createLogger, type LogFormat } from "./log.js";
import { ReconcileStatus } from "./reconcile-status.js";
import { startStatusServer } from "./status-server.js";
import { lastAppliedFromHistory, runTick } from "./tick.js";

export interface ReconcileFlags extends GlobalOptions {
  repo: string;
  branch: string;
  path: string;
  interval: number;
  apply?: boolean;
  reportOnly?: boolean;
  selfHeal?: boolean;
  listen: string;
  logFormat: LogFormat;
  workdir?: string;
  maxTicks?: number;
  parallelism?: number;
}

export async function reconcileCommand(flags: ReconcileFlags): Promise<number> {
  if (flags.reportOnly && (flags.apply || flags.selfHeal)) throw new ValidationError("--report-only", "cannot be combined with --apply or --self-heal");
  if (!(flags.interval >= 100)) throw new ValidationError("--interval", "must be at least 100ms");
  if (flags.maxTicks !== undefined && !(Number.isInteger(flags.maxTicks) && flags.maxTicks >= 1)) throw new ValidationError("--max-ticks", "expected a whole number >= 1");
  // A local repository is named by its absolute path, so the clone's origin stays the same from any cwd.
  const repo = existsSync(flags.repo) ? resolve(flags.repo) : flags.repo;
  const dir = flags.workdir ? resolve(flags.workdir)
    : join(defaultRuntimeConfig().libRoot, "reconcile", createHash("sha256").update(`${repo}#${flags.branch}`).digest("hex").slice(0, 16));
  const stack = stackName(flags.path, flags);
  const mode = [flags.apply ? "apply" : "report-only", flags.selfHeal ? "self-heal" : null].filter(Boolean).join("+");
  const log = createLogger(flags.logFormat);
  const status = new ReconcileStatus({ repo, branch: flags.branch, path: flags.path, stack, mode });
  const store = await openStore(flags);
  try {
    const last = await lastAppliedFromHistory(store, stack);
    status.appliedCommit = last?.commit ?? null;
    status.lastApplyAt = last?.at ?? null;
  } finally {
    await store.close();
  }

  const server = await startStatusServer(flags.listen, status);
  log("info", "reconcile started", { repo, branch: flags.branch, path: flags.path, stack, mode, interval_ms: flags.interval, listen: server.address, workdir: dir });
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    log("info", "stopping after the tick in flight", { signal });
    stop.abort();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  const git = new GitSource(repo, flags.branch, dir);
  const file = join(dir, flags.path);
  let ticks = 0;
  try {
    while (!stop.signal.aborted) {
      const started = new Date();
      try {
        const { outcome, commit } = await runTick({
          git, file, stack, apply: Boolean(flags.apply), selfHeal: Boolean(flags.selfHeal), parallelism: flags.parallelism,
          globals: flags, status, log,
        });
        status.record({ startedAt: started.toISOString(), finishedAt: new Date().toISOString(), durationMs: Date.now() - started.getTime(), outcome, commit });
        log("info", "tick", { result: outcome, commit, drift: status.findings.length, duration_ms: Date.now() - started.getTime() });
      } catch (error) {
        const message = formatError(error);
        status.record({ startedAt: started.toISOString(), finishedAt: new Date().toISOString(), durationMs: Date.now() - started.getTime(), outcome: "failed", error: message, commit: status.commit ?? undefined });
        log("error", "tick failed", { error: message, consecutive_failures: status.consecutiveFailures });
      }
      if (flags.maxTicks !== undefined && ++ticks >= flags.maxTicks) break;
      const delay = nextDelayMs(status.consecutiveFailures, flags.interval);
      status.nextTickAt = new Date(Date.now() + delay);
      await sleep(delay, stop.signal);
    }
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await server.close();
    log("info", "reconcile stopped", { ticks: [...status.totals.values()].reduce((a, b) => a + b, 0) });
  }
  return status.healthy() ? EXIT.ok : EXIT.error;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
