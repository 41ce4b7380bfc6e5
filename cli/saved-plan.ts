/** Saved plans (`plan --out`): the exact plan, applied later without re-planning, refused once state moved. */
import { readFileSync, writeFileSync } from "node:fs";
import { PlanError } from "../core/errors.js";
import type { Plan } from "../core/planner/plan-types.js";
import type { StackState } from "../core/model/types.js";

const FORMAT = "cinfra-saved-plan";

interface SavedPlanFile {
  format: typeof FORMAT;
  version: 1;
  createdAt: string;
  plan: Plan;
}

export function writeSavedPlan(path: string, plan: Plan): void {
  const file: SavedPlanFile = { format: FORMAT, version: 1, createdAt: new Date().toISOString(), plan };
  writeFileSync(path, JSON.stringify(file));
}

/** The saved plan in `path`, or null when the file is something else (a stack program). */
export function readSavedPlan(path: string): Plan | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  if (!text.startsWith(`{"format":"${FORMAT}"`)) return null;
  const file = JSON.parse(text) as SavedPlanFile;
  if (file.version !== 1) throw new PlanError("SAVED_PLAN_VERSION", `${path}: saved plan version ${file.version} is not supported`);
  return file.plan;
}

/** A saved plan applies only to the very state it was made against. */
export function assertFresh(plan: Plan, state: StackState, path: string): void {
  const bothEmpty = plan.serial === 0 && state.serial === 0;
  if (bothEmpty) return;
  if (plan.lineage !== state.lineage) {
    throw new PlanError("STALE_PLAN", `${path}: saved plan is stale: it was made for state lineage ${plan.lineage}, state is now ${state.lineage}`);
  }
  if (plan.serial !== state.serial) {
    throw new PlanError("STALE_PLAN", `${path}: saved plan is stale: state changed since it was made (serial ${plan.serial} -> ${state.serial}); plan again`);
  }
}
