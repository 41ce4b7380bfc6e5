import { PlanError } from "./errors.js";
import type { DesiredResource, SourceLocation, Urn } from "./model/types.js";

/**
 * Order resources so every dependency comes first. Throws PlanError CYCLE naming the
 * cycle and the program line of one member, or MISSING_DEPENDENCY for a reference to an
 * undeclared resource.
 */
export function topologicalOrder(resources: readonly DesiredResource[]): Urn[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const state = new Map<Urn, "visiting" | "done">();
  const order: Urn[] = [];
  const trail: Urn[] = [];

  const visit = (urn: Urn) => {
    const mark = state.get(urn);
    if (mark === "done") return;
    if (mark === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(urn)), urn];
      throw new PlanError("CYCLE", `dependency cycle: ${cycle.join(" -> ")}`, byUrn.get(urn)?.location);
    }
    state.set(urn, "visiting");
    trail.push(urn);
    const resource = byUrn.get(urn)!;
    for (const dep of [...resource.dependsOn].sort()) {
      if (!byUrn.has(dep)) {
        throw new PlanError("MISSING_DEPENDENCY", `${urn} depends on ${dep}, which the program does not declare`, resource.location);
      }
      visit(dep);
    }
    trail.pop();
    state.set(urn, "done");
    order.push(urn);
  };

  for (const r of [...resources].sort((a, b) => a.urn.localeCompare(b.urn))) visit(r.urn);
  return order;
}

/** Resources that depend on `urn`, directly or not, given each resource's dependency list. */
export function dependentsOf(urn: Urn, deps: ReadonlyMap<Urn, readonly Urn[]>): Set<Urn> {
  const out = new Set<Urn>();
  const stack = [urn];
  while (stack.length) {
    const current = stack.pop()!;
    for (const [other, list] of deps) {
      if (!out.has(other) && list.includes(current)) {
        out.add(other);
        stack.push(other);
      }
    }
  }
  return out;
}

export type { SourceLocation };
