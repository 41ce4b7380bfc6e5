/**
 * Machine-readable plan, modelled on `terraform show -json` (schema in docs/plan-json.md):
 * per resource `actions`, `before`, `after`, `after_unknown`, `replace_paths`, `action_reason`.
 */
import type { Plan, ResourceChange } from "../../core/planner/plan-types.js";
import { summarize } from "../../core/planner/plan-types.js";
import type { Props } from "../../core/model/types.js";
import { setPath } from "../../core/planner/props-path.js";

const ACTIONS: Record<string, string[]> = {
  create: ["create"], update: ["update"], delete: ["delete"], forget: ["forget"], noop: ["no-op"],
};

function afterUnknown(change: ResourceChange): Props {
  const unknown: Props = {};
  for (const output of change.computed) unknown[output] = true;
  for (const attr of change.attributes) if (attr.afterUnknown) setPath(unknown, attr.path, true);
  return unknown;
}

function reason(change: ResourceChange): string | undefined {
  if (change.action === "replace") {
    return change.replaceReasons.includes("requested with --replace") ? "replace_by_request" : "replace_because_cannot_update";
  }
  if (change.action === "delete") return "delete_because_no_resource_config";
  if (change.action === "forget") return change.keptFor ? "forget_because_retained_dependent" : "forget_because_retain_on_delete";
  if (change.optionsChanged) return "record_options";
  return undefined;
}

export function planToJson(plan: Plan): unknown {
  return {
    format_version: "1.0",
    stack: plan.stack,
    lineage: plan.lineage,
    serial: plan.serial,
    summary: summarize(plan),
    resource_changes: plan.changes.map((change) => ({
      address: change.urn,
      type: change.kind,
      name: change.name,
      change: {
        actions: change.action === "replace"
          ? (change.deleteBeforeReplace ? ["delete", "create"] : ["create", "delete"])
          : ACTIONS[change.action],
        before: change.prior ? { ...change.prior.inputs, ...change.prior.outputs } : null,
        after: change.after,
        after_unknown: afterUnknown(change),
        replace_paths: change.attributes.filter((a) => a.forcesReplacement && change.action === "replace").map((a) => a.path.split(".")),
      },
      action_reason: reason(change),
      ...(change.keptFor ? { kept_for: change.keptFor } : {}),
      ...(change.desired ? { options: { protect: change.desired.options.protect, retain_on_delete: change.desired.options.retainOnDelete === true } } : {}),
    })),
  };
}
