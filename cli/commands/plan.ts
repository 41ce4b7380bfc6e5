import { loadStack } from "../loader/load-stack.js";
import { plan as makePlan, type PlanOptions } from "../../core/planner/plan.js";
import { hasChanges, type Plan } from "../../core/planner/plan-types.js";
import type { StateStore } from "../../core/state-store.js";
import { renderPlan } from "../render/plan-text.js";
import { styleFor } from "../render/style.js";
import { EXIT } from "../exit-codes.js";
import { openStore, stackName, type GlobalOptions } from "../context.js";
import { urnsForNames } from "./resolve-names.js";
import { checkHostInputs } from "../preflight.js";

export interface PlanFlags extends GlobalOptions {
  detailedExitcode?: boolean;
  replace?: string[];
  json?: boolean;
}

/** Load the program and plan it against the stack's state. Shared by plan and apply. */
export async function planStack(file: string, flags: PlanFlags, store: StateStore): Promise<Plan> {
  const loaded = await loadStack(file);
  checkHostInputs(loaded.resources);
  const state = await store.load(stackName(file, flags));
  const options: PlanOptions = { replace: urnsForNames(flags.replace ?? [], loaded.resources.map((r) => r.urn)) };
  return makePlan(loaded.resources, state, options);
}

export async function planCommand(file: string, flags: PlanFlags): Promise<number> {
  const store = await openStore(flags);
  try {
    const plan = await planStack(file, flags, store);
    if (flags.json) process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
    else process.stdout.write(renderPlan(plan, styleFor(process.stdout)));
    return flags.detailedExitcode && hasChanges(plan) ? EXIT.changes : EXIT.ok;
  } finally {
    await store.close();
  }
}
