/** `state mv` as pure data: the stack's rows after moving `from` to `to`, every reference following. */
import { StateError } from "../core/errors.js";
import type { PendingOperation, ResourceState, Urn } from "../core/model/types.js";

export function renamedRows(stack: string, rows: readonly ResourceState[], pending: readonly PendingOperation[], from: Urn, to: Urn): ResourceState[] {
  const moved = rows.find((r) => r.urn === from);
  if (!moved) throw new StateError("STATE_NO_RESOURCE", `stack "${stack}" has no resource ${from}`);
  if (!to.startsWith(`${moved.kind}.`) || to.length === moved.kind.length + 1) {
    throw new StateError("STATE_MV_KIND", `${from} can only move to another ${moved.kind} name, not ${to}`);
  }
  if (rows.some((r) => r.urn === to)) throw new StateError("STATE_EXISTS", `stack "${stack}" already has ${to}`);
  // A pending operation names the old urn; recovery would lose track of it after a rename.
  if (pending.length) throw new StateError("STATE_PENDING", `stack "${stack}" has interrupted operations: run cinfra apply first`);
  const name = to.slice(moved.kind.length + 1);
  return rows.map((r) => renameRefs(r.urn === from ? { ...r, urn: to, name } : r, from, to));
}

/** A resource row with every reference to `from` (dependsOn and `$ref`s in inputs) pointing at `to`. */
function renameRefs(r: ResourceState, from: Urn, to: Urn): ResourceState {
  const swap = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(swap);
    if (value && typeof value === "object") {
      const obj = value as Record<string, unknown>;
      if (obj.$ref === from && Object.keys(obj).length === 1) return { $ref: to };
      return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, swap(v)]));
    }
    return value;
  };
  return { ...r, inputs: swap(r.inputs) as ResourceState["inputs"], dependsOn: r.dependsOn.map((d) => (d === from ? to : d)) };
}
