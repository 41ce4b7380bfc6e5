import { loadStack } from "../loader/load-stack.js";
import { plan as makePlan, type PlanOptions } from "../../core/planner/plan.js";
import { hasChanges, type Plan } from "../../core/planner/plan-types.js";
import { targetPlan } from "../../core/planner/target.js";
import type { StateStore } from "../../core/state-store.js";
import { renderPlan } from "../render/plan-text.js";
import { planToJson } from "../render/plan-json.js";
import { styleFor } from "../render/style.js";
import { EXIT } from "../exit-codes.js";
import { openStore, stackName, type GlobalOptions } from "../context.js";
import { urnsForNames } from "./resolve-names.js";
import { checkHostInputs } from "../preflight.js";
import { writeSavedPlan } from "../saved-plan.js";
import { stackSecrets, type StackSecrets } from "./config-secrets.js";

export interface PlanFlags extends GlobalOptions {
  detailedExitcode?: boolean;
  replace?: string[];
  target?: string[];
  json?: boolean;
  out?: string;
  secretsKeyFile?: string;
}

/**
 * Load the program and plan it against the stack's state. Shared by plan and apply. `secrets` (from
 * stackSecrets) feeds the program's `config`; pass `secrets.store` as `store`, so sealed rows read as plaintext.
 */
export async function planStack(file: string, flags: PlanFlags, store: StateStore, secrets?: StackSecrets): Promise<Plan> {
  const loaded = await loadStack(file, secrets?.config);
  const state = await store.load(stackName(file, flags));
  checkHostInputs(loaded.resources, state);
  const known = loaded.resources.map((r) => r.urn);
  const options: PlanOptions = { replace: urnsForNames(flags.replace ?? [], known) };
  const plan = makePlan(loaded.resources, state, options);
  if (!flags.target?.length) return plan;
  const targeted = targetPlan(plan, urnsForNames(flags.target, [...known, ...state.resources.map((r) => r.urn)]));
  process.stderr.write(
    `Warning: resource targeting is in effect: the plan may not match the program; ${targeted.excluded.length} change(s) left out` +
      `${targeted.excluded.length ? ` (${targeted.excluded.join(", ")})` : ""}.\n`,
  );
  return targeted.plan;
}

export async function planCommand(file: string, flags: PlanFlags): Promise<number> {
  const store = await openStore(flags);
  try {
    const secrets = await stackSecrets(store, stackName(file, flags), flags);
    const plan = await planStack(file, flags, secrets.store, secrets);
    const shown = secrets.redact.value(plan);
    if (flags.json) process.stdout.write(`${JSON.stringify(planToJson(shown), null, 2)}\n`);
    else process.stdout.write(renderPlan(shown, styleFor(process.stdout)));
    if (flags.out) {
      writeSavedPlan(flags.out, secrets.seal(plan)); // secrets stay sealed in the file
      if (!flags.json) process.stdout.write(`Saved the plan to ${flags.out}: apply exactly it with "cinfra apply ${flags.out}".\n`);
    }
    return flags.detailedExitcode && hasChanges(plan) ? EXIT.changes : EXIT.ok;
  } finally {
    await store.close();
  }
}
