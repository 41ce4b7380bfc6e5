import { plan as makePlan } from "../../core/planner/plan.js";
import { openStore, stackName } from "../context.js";
import { executePlan, type ExecuteFlags } from "./execute.js";
import { planStack, type PlanFlags } from "./plan.js";

export type ApplyFlags = PlanFlags & ExecuteFlags;

export async function applyCommand(file: string, flags: ApplyFlags): Promise<number> {
  const store = await openStore(flags);
  const lock = await store.lock(stackName(file, flags), "apply");
  try {
    // Plan under the lock, so nobody changes state between plan and apply.
    const plan = await planStack(file, flags, store);
    return await executePlan(plan, flags, store, "Apply");
  } finally {
    await lock.release();
    await store.close();
  }
}

/** Destroy everything state holds for the stack; the program is not loaded, so a broken one can still be destroyed. */
export async function destroyCommand(file: string | undefined, flags: ApplyFlags): Promise<number> {
  const store = await openStore(flags);
  const stack = stackName(file, flags);
  const lock = await store.lock(stack, "destroy");
  try {
    const plan = makePlan([], await store.load(stack));
    return await executePlan(plan, flags, store, "Destroy");
  } finally {
    await lock.release();
    await store.close();
  }
}
