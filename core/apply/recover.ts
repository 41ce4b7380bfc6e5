/**
 * Recovery of operations a crash interrupted. A pending create may have left a half-made object
 * (the runtime's objects carry the id recorded before the call): it is deleted, so the next plan
 * simply creates it again. A pending delete is finished. A pending update is dropped: state keeps
 * the old inputs, so the next plan re-applies the live update if it was lost.
 */
import type { PendingOperation, ResourceState, StackState } from "../model/types.js";
import { parseUrn } from "../model/types.js";
import type { OperationContext, Runtime } from "../runtime.js";
import type { StateStore } from "../state-store.js";

export interface Recovered {
  op: PendingOperation;
  outcome: "cleaned" | "deleted" | "dropped";
}

export async function recoverPending(state: StackState, store: StateStore, runtime: Runtime): Promise<Recovered[]> {
  const done: Recovered[] = [];
  const byUrn = new Map(state.resources.map((r) => [r.urn, r]));
  for (const op of state.pending) {
    const { kind, name } = parseUrn(op.urn);
    const recorded = byUrn.get(op.urn);
    const ctx: OperationContext = { stack: state.stack, deps: new Map(), progress: () => {} };
    if (op.op === "create") {
      // The recorded row (if any) is a different, older object of the same name: leave it alone.
      if (!recorded || recorded.id !== op.id) {
        const partial: ResourceState = { urn: op.urn, kind, name, id: op.id, inputs: op.props ?? {}, outputs: {}, dependsOn: [] };
        await runtime.operations(kind).delete(ctx, partial);
      }
      done.push({ op, outcome: "cleaned" });
    } else if (op.op === "delete") {
      if (recorded && recorded.id === op.id) {
        await runtime.operations(kind).delete(ctx, recorded);
        await store.deleteResource(state.stack, op.urn);
      } else {
        // The predecessor of a create-before-delete replacement: its row already belongs to the successor.
        await runtime.operations(kind).delete(ctx, { urn: op.urn, kind, name, id: op.id, inputs: {}, outputs: {}, dependsOn: [] });
      }
      done.push({ op, outcome: "deleted" });
    } else {
      done.push({ op, outcome: "dropped" });
    }
    await store.clearPending(state.stack, op.urn);
  }
  return done;
}
