import { recoverPending } from "../../core/apply/recover.js";
import { plan as makePlan } from "../../core/planner/plan.js";
import type { Runtime } from "../../core/runtime.js";
import type { StateStore } from "../../core/state-store.js";
import { openRuntime, openStore, stackName } from "../context.js";
import { assertFresh, readSavedPlan } from "../saved-plan.js";
import { executePlan, type ExecuteFlags } from "./execute.js";
import { redactor } from "../../core/config/redact.js";
import { planStack, type PlanFlags } from "./plan.js";
import { stackSecrets } from "./config-secrets.js";

export type ApplyFlags = PlanFlags & ExecuteFlags;

/** Finish or clean up what an interrupted run left pending, before planning anything new. */
async function recover(stack: string, store: StateStore, runtime: Runtime): Promise<void> {
  const state = await store.load(stack);
  if (state.pending.length === 0) return;
  for (const { op, outcome } of await recoverPending(state, store, runtime)) {
    process.stderr.write(`Recovered ${op.urn}: an interrupted ${op.op} (${op.startedAt}) was ${outcome}.\n`);
  }
}

/** `apply stack.ts` plans and applies; `apply plan.bin` applies exactly the saved plan, if state has not moved. */
export async function applyCommand(file: string, flags: ApplyFlags): Promise<number> {
  const saved = readSavedPlan(file);
  const store = await openStore(flags);
  const runtime = openRuntime();
  const stack = saved ? saved.stack : stackName(file, flags);
  try {
    const lock = await store.lock(stack, "apply", { timeoutMs: flags.lockTimeout });
    try {
      // Plan under the lock, so nobody changes state between plan and apply.
      const secrets = await stackSecrets(store, stack, flags);
      let plan = saved && secrets.open(saved);
      if (plan) {
        assertFresh(plan, await store.load(stack), file);
      } else {
        await recover(stack, secrets.store, runtime);
        plan = await planStack(file, flags, secrets.store, secrets);
      }
      return await executePlan(plan, saved ? { ...flags, yes: true } : flags, secrets.store, runtime, "Apply", secrets.redact);
    } finally {
      await lock.release();
    }
  } finally {
    await runtime.close();
    await store.close();
  }
}

/** Destroy everything state holds for the stack; the program is not loaded, so a broken one can still be destroyed. */
export async function destroyCommand(file: string | undefined, flags: ApplyFlags): Promise<number> {
  const store = await openStore(flags);
  const runtime = openRuntime();
  const stack = stackName(file, flags);
  try {
    const lock = await store.lock(stack, "destroy", { timeoutMs: flags.lockTimeout });
    try {
      await recover(stack, store, runtime);
      // No key needed to destroy: sealed values just show as (sensitive).
      return await executePlan(makePlan([], await store.load(stack)), flags, store, runtime, "Destroy", redactor([]));
    } finally {
      await lock.release();
    }
  } finally {
    await runtime.close();
    await store.close();
  }
}
