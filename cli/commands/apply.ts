import { plan as makePlan } from "../../core/planner/plan.js";
import { openStore, stackName } from "../context.js";
import { assertFresh, readSavedPlan } from "../saved-plan.js";
import { executePlan, type ExecuteFlags } from "./execute.js";
import { planStack, type PlanFlags } from "./plan.js";

export type ApplyFlags = PlanFlags & ExecuteFlags;

/** `apply stack.ts` plans and applies; `apply plan.bin` applies exactly the saved plan, if state has not moved. */
export async function applyCommand(file: string, flags: ApplyFlags): Promise<number> {
  const saved = readSavedPlan(file);
  const store = await openStore(flags);
  const stack = saved ? saved.stack : stackName(file, flags);
  try {
    const lock = await store.lock(stack, "apply");
    try {
      // Plan under the lock, so nobody changes state between plan and apply.
      let plan = saved;
      if (plan) assertFresh(plan, await store.load(stack), file);
      else plan = await planStack(file, flags, store);
      return await executePlan(plan, saved ? { ...flags, yes: true } : flags, store, "Apply");
    } finally {
      await lock.release();
    }
  } finally {
    await store.close();
  }
}

/** Destroy everything state holds for the stack; the program is not loaded, so a broken one can still be destroyed. */
export async function destroyCommand(file: string | undefined, flags: ApplyFlags): Promise<number> {
  const store = await openStore(flags);
  const stack = stackName(file, flags);
  try {
    const lock = await store.lock(stack, "destroy");
    try {
      return await executePlan(makePlan([], await store.load(stack)), flags, store, "Destroy");
    } finally {
      await lock.release();
    }
  } finally {
    await store.close();
  }
}
