import type { Urn } from "../model/types.js";
import type { Plan } from "./plan-types.js";

/**
 * Narrow a plan to the targeted resources and everything they depend on (Terraform's -target):
 * the rest of the plan is left as no-op. Returns the plan and the urns that were left out.
 */
export function targetPlan(plan: Plan, targets: readonly Urn[]): { plan: Plan; excluded: Urn[] } {
  const deps = new Map(plan.changes.map((c) => [c.urn, c.desired?.dependsOn ?? c.prior?.dependsOn ?? []]));
  const keep = new Set<Urn>();
  const visit = (urn: Urn) => {
    if (keep.has(urn)) return;
    keep.add(urn);
    for (const dep of deps.get(urn) ?? []) visit(dep);
  };
  targets.forEach(visit);
  const excluded: Urn[] = [];
  const changes = plan.changes.map((c) => {
    if (keep.has(c.urn) || (c.action === "noop" && !c.optionsChanged)) return c;
    excluded.push(c.urn);
    return { ...c, action: "noop" as const, attributes: [], computed: [], replaceReasons: [], optionsChanged: undefined };
  });
  return { plan: { ...plan, changes }, excluded };
}
