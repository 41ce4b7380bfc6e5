/**
 * `apply --refresh` and `plan --refresh`: plan from what the host really shows, so apply puts the
 * program back (restarts what stopped, rewrites a changed limit live, recreates what was deleted
 * and what depends on it, removes unmanaged objects claiming the stack).
 */
import { recoverPending } from "../../core/apply/recover.js";
import { PlanError } from "../../core/errors.js";
import { explainRefreshPlan, refreshedState } from "../../core/drift/refresh.js";
import { plan as makePlan } from "../../core/planner/plan.js";
import { hasChanges, type Plan } from "../../core/planner/plan-types.js";
import { targetPlan } from "../../core/planner/target.js";
import type { DesiredResource } from "../../core/model/types.js";
import type { Runtime } from "../../core/runtime.js";
import type { StateStore } from "../../core/state-store.js";
import { defaultRuntimeConfig } from "../../provider/linux/config.js";
import { openRuntime, openStore, stackName } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { loadStack } from "../loader/load-stack.js";
import { checkHostInputs } from "../preflight.js";
import { planToJson } from "../render/plan-json.js";
import { renderPlan } from "../render/plan-text.js";
import { styleFor } from "../render/style.js";
import { readSavedPlan, writeSavedPlan } from "../saved-plan.js";
import type { ApplyFlags } from "./apply.js";
import { scanDrift } from "./drift-scan.js";
import { executePlan } from "./execute.js";
import type { PlanFlags } from "./plan.js";
import { urnsForNames } from "./resolve-names.js";

/** The plan `apply --refresh` executes: the program against state as the host really is. */
export async function refreshForApply(file: string, flags: PlanFlags, store: StateStore, runtime: Runtime): Promise<Plan> {
  const loaded = await loadStack(file);
  const plan = await planFromReality(loaded.resources, stackName(file, flags), store, runtime, flags);
  if (!flags.target?.length) return plan;
  const known = [...loaded.resources.map((r) => r.urn), ...plan.changes.map((c) => c.urn)];
  const targeted = targetPlan(plan, urnsForNames(flags.target, [...new Set(known)]));
  process.stderr.write(`Warning: resource targeting is in effect: ${targeted.excluded.length} change(s) left out.\n`);
  return targeted.plan;
}

/** Plan `desired` against the stack's state refreshed from the host (also the reconcile loop's self-heal). */
export async function planFromReality(
  desired: readonly DesiredResource[], stack: string, store: StateStore, runtime: Runtime,
  options: { replace?: string[]; warn?: (message: string) => void } = {},
): Promise<Plan> {
  const warn = options.warn ?? ((message: string) => process.stderr.write(`Warning: ${message}\n`));
  const [scan] = (await scanDrift({ store, runtime, config: defaultRuntimeConfig(), stack })).stacks;
  const refreshed = refreshedState({ state: scan.state, live: scan.live, probes: scan.probes, unmanaged: scan.unmanaged });
  for (const object of refreshed.untouched) {
    warn(`${object.kind} ${object.name} (${object.where}) is unmanaged and cannot be removed by apply; remove it by hand.`);
  }
  checkHostInputs(desired, refreshed.state);
  const requested = urnsForNames(options.replace ?? [], desired.map((r) => r.urn));
  const planned = makePlan(desired, refreshed.state, { replace: [...requested, ...refreshed.replace.keys()] });
  return explainRefreshPlan(planned, refreshed.replace, requested);
}

export async function applyRefreshCommand(file: string, flags: ApplyFlags): Promise<number> {
  if (readSavedPlan(file)) throw new PlanError("REFRESH_SAVED_PLAN", `${file} is a saved plan: --refresh plans from the host, give the stack program`);
  const store = await openStore(flags);
  const runtime = openRuntime();
  const stack = stackName(file, flags);
  try {
    const lock = await store.lock(stack, "apply", { timeoutMs: flags.lockTimeout });
    try {
      for (const { op, outcome } of await recoverPending(await store.load(stack), store, runtime)) {
        process.stderr.write(`Recovered ${op.urn}: an interrupted ${op.op} (${op.startedAt}) was ${outcome}.\n`);
      }
      return await executePlan(await refreshForApply(file, flags, store, runtime), flags, store, runtime, "Apply");
    } finally {
      await lock.release();
    }
  } finally {
    await runtime.close();
    await store.close();
  }
}

export async function planRefreshCommand(file: string, flags: PlanFlags): Promise<number> {
  const store = await openStore(flags);
  const runtime = openRuntime();
  try {
    const plan = await refreshForApply(file, flags, store, runtime);
    if (flags.json) process.stdout.write(`${JSON.stringify(planToJson(plan), null, 2)}\n`);
    else process.stdout.write(renderPlan(plan, styleFor(process.stdout)));
    if (flags.out) writeSavedPlan(flags.out, plan);
    return flags.detailedExitcode && hasChanges(plan) ? EXIT.changes : EXIT.ok;
  } finally {
    await runtime.close();
    await store.close();
  }
}
