/**
 * Turns a plan into operations with ordering edges:
 * - create/update wait for the create/update of every resource they depend on;
 * - delete waits for the delete of every resource that depended on it (containers before their network);
 * - replace is delete-then-create when `deleteBeforeReplace`, otherwise create-then-delete;
 * - move (a rename), record (options only) and forget (retainOnDelete) write state only and wait on nothing.
 */
import type { Urn } from "../model/types.js";
import type { ResourceChange, Plan } from "../planner/plan-types.js";

export type OpKind = "create" | "update" | "delete" | "move" | "record" | "forget";

export interface Operation {
  key: string;
  kind: OpKind;
  change: ResourceChange;
  waitFor: Set<string>;
}

const keyOf = (kind: OpKind, urn: Urn) => `${kind}:${urn}`;

export function planOperations(plan: Plan): Map<string, Operation> {
  const ops = new Map<string, Operation>();
  const add = (kind: OpKind, change: ResourceChange) => ops.set(keyOf(kind, change.urn), { key: keyOf(kind, change.urn), kind, change, waitFor: new Set() });

  for (const change of plan.changes) {
    if (change.action === "create" || change.action === "replace") add("create", change);
    if (change.action === "update") add("update", change);
    if (change.action === "delete" || change.action === "replace") add("delete", change);
    if (change.action === "noop" && change.movedFrom) add("move", change);
    else if (change.action === "noop" && change.optionsChanged) add("record", change);
    if (change.action === "forget") add("forget", change);
  }

  for (const op of ops.values()) {
    const { change } = op;
    if (op.kind === "move" || op.kind === "record" || op.kind === "forget") continue;
    if (op.kind === "create" || op.kind === "update") {
      for (const dep of change.desired?.dependsOn ?? []) {
        for (const kind of ["create", "update"] as const) if (ops.has(keyOf(kind, dep))) op.waitFor.add(keyOf(kind, dep));
      }
      if (op.kind === "create" && change.action === "replace" && change.deleteBeforeReplace) op.waitFor.add(keyOf("delete", change.urn));
    } else {
      for (const other of plan.changes) {
        if (other.prior?.dependsOn.includes(change.urn) && ops.has(keyOf("delete", other.urn))) {
          op.waitFor.add(keyOf("delete", other.urn));
        }
      }
      if (change.action === "replace" && !change.deleteBeforeReplace) op.waitFor.add(keyOf("create", change.urn));
    }
  }
  return ops;
}
