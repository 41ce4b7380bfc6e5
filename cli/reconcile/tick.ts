/**
 * One reconcile tick: bring the clone to the branch head, check drift, plan the program against
 * state, and act as the mode allows: `--apply` applies new commits, `--self-heal` puts drift back
 * (planning from the host, as `apply --refresh`), otherwise only report. Every apply holds the
 * stack's lock and is recorded in state history with the commit it applied.
 */
import { applyPlan } from "../../core/apply/applier.js";
import { recoverPending } from "../../core/apply/recover.js";
import { CinfraError } from "../../core/errors.js";
import type { DesiredResource, StackState } from "../../core/model/types.js";
import { plan as makePlan } from "../../core/planner/plan.js";
import { hasChanges, summarize, type Plan } from "../../core/planner/plan-types.js";
import type { Runtime } from "../../core/runtime.js";
import type { StateStore } from "../../core/state-store.js";
import { defaultRuntimeConfig } from "../../provider/linux/config.js";
import { openRuntime, openStore, type GlobalOptions } from "../context.js";
import { formatError } from "../exit-codes.js";
import { loadStack } from "../loader/load-stack.js";
import { checkHostInputs } from "../preflight.js";
import { scanDrift } from "../commands/drift-scan.js";
import { planFromReality } from "../commands/refresh-apply.js";
import { userName } from "../commands/refresh-command.js";
import type { GitSource } from "./git-source.js";
import type { Logger } from "./log.js";
import type { ReconcileStatus, TickOutcome } from "./reconcile-status.js";

export interface TickContext {
  git: GitSource;
  /** The stack program inside the clone. */
  file: string;
  stack: string;
  apply: boolean;
  selfHeal: boolean;
  parallelism?: number;
  globals: GlobalOptions;
  status: ReconcileStatus;
  log: Logger;
}

/** The program of the last commit seen: loaded again only when the commit moves. */
const programs = new Map<string, DesiredResource[]>();

export async function runTick(ctx: TickContext): Promise<{ outcome: TickOutcome; commit: string }> {
  const { log, status } = ctx;
  const sync = await ctx.git.sync();
  status.commit = sync.commit;
  status.subject = sync.subject;
  if (sync.moved) log("info", "commit", { commit: sync.commit, subject: sync.subject });
  let desired = programs.get(sync.commit);
  if (!desired) {
    desired = (await loadStack(ctx.file)).resources;
    programs.clear();
    programs.set(sync.commit, desired);
  }
  const store = await openStore(ctx.globals);
  const runtime = openRuntime();
  try {
    const drift = await checkDrift(ctx, store, runtime);
    const unapplied = hasChanges(makePlan(desired, await store.load(ctx.stack)));
    if (!unapplied && drift === 0) return { outcome: "in_sync", commit: sync.commit };
    const heal = ctx.selfHeal && drift > 0 && (ctx.apply || !unapplied);
    const deploy = ctx.apply && unapplied;
    if (!heal && !deploy) {
      if (unapplied) log("warn", "unapplied changes", { commit: sync.commit, hint: ctx.apply ? undefined : "pass --apply to apply new commits" });
      if (drift > 0) log("warn", "drift found", { findings: drift, hint: ctx.selfHeal ? "not healing while the program has unapplied changes (no --apply)" : "pass --self-heal to put it back" });
      return { outcome: "reported", commit: sync.commit };
    }
    await applyLocked(ctx, store, runtime, desired, sync.commit, heal);
    await checkDrift(ctx, store, runtime); // so /status shows the state after the apply, not before
    return { outcome: deploy ? "applied" : "healed", commit: sync.commit };
  } finally {
    await runtime.close();
    await store.close();
  }
}

/** Scan the stack, publish the findings, return how many. */
async function checkDrift(ctx: TickContext, store: StateStore, runtime: Runtime): Promise<number> {
  const scan = await scanDrift({ store, runtime, config: defaultRuntimeConfig(), stack: ctx.stack });
  const findings = scan.stacks.flatMap((s) => s.report.findings);
  ctx.status.findings = findings;
  ctx.status.driftCheckedAt = scan.checkedAt;
  ctx.status.driftDurationMs = scan.durationMs;
  return findings.length;
}

async function applyLocked(
  ctx: TickContext, store: StateStore, runtime: Runtime, desired: DesiredResource[], commit: string, heal: boolean,
): Promise<void> {
  const lock = await store.lock(ctx.stack, "reconcile");
  try {
    for (const { op, outcome } of await recoverPending(await store.load(ctx.stack), store, runtime)) {
      ctx.log("warn", "recovered", { urn: op.urn, op: op.op, outcome });
    }
    // Planned again under the lock, so nobody changes state between plan and apply.
    const plan: Plan = heal
      ? await planFromReality(desired, ctx.stack, store, runtime, { warn: (message) => ctx.log("warn", message) })
      : planFromState(desired, await store.load(ctx.stack));
    if (!hasChanges(plan)) return;
    const sum = summarize(plan);
    ctx.log("info", heal ? "healing" : "applying", { commit, ...sum });
    const startedAt = new Date().toISOString();
    const result = await applyPlan(plan, {
      store, runtime, parallelism: ctx.parallelism,
      onEvent: (e) => {
        if (e.phase === "done") ctx.log("info", "operation", { urn: e.urn, op: e.op, elapsed_ms: Math.round(e.elapsedMs ?? 0) });
        if (e.phase === "failed") ctx.log("error", "operation failed", { urn: e.urn, op: e.op, error: formatError(e.error) });
        if (e.phase === "skipped") ctx.log("warn", "operation skipped", { urn: e.urn, op: e.op });
      },
    });
    const ok = result.failed.length === 0 && result.skipped.length === 0;
    await store.appendHistory({
      stack: ctx.stack, startedAt, finishedAt: new Date().toISOString(), user: userName(), command: "reconcile",
      summary: { commit, repo: ctx.status.source.repo, branch: ctx.status.source.branch, path: ctx.status.source.path, healed: heal, ...sum },
      result: ok ? "ok" : "failed",
    });
    if (!ok) throw new CinfraError("RECONCILE_APPLY", `apply of ${commit.slice(0, 12)} failed: ${result.failed.length} failed, ${result.skipped.length} skipped`);
    ctx.status.appliedCommit = commit;
    ctx.status.lastApplyAt = new Date();
  } finally {
    await lock.release();
  }
}

function planFromState(desired: DesiredResource[], state: StackState): Plan {
  checkHostInputs(desired, state);
  return makePlan(desired, state);
}

/** The commit the last successful reconcile apply recorded in the stack's history. */
export async function lastAppliedFromHistory(store: StateStore, stack: string): Promise<{ commit: string; at: Date } | null> {
  const entries = await store.history(stack);
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    const commit = (e.summary as { commit?: unknown } | null)?.commit;
    if (e.command === "reconcile" && e.result === "ok" && typeof commit === "string") return { commit, at: new Date(e.finishedAt ?? e.startedAt) };
  }
  return null;
}
