/**
 * Terraform-style plan text: one block per resource with a symbol (+ create, ~ update in-place,
 * -/+ replace, - destroy), attribute by attribute, `# forces replacement` where it does, and
 * `(known after apply)` for what only the runtime can tell.
 */
import { diffArrays } from "diff";
import { isRef, type PropValue } from "../../core/model/types.js";
import type { AttributeChange, Plan, ResourceChange } from "../../core/planner/plan-types.js";
import { summarize } from "../../core/planner/plan-types.js";
import type { Style } from "./style.js";

const HEADLINE: Record<string, string> = {
  create: "will be created", update: "will be updated in-place", replace: "must be replaced", delete: "will be destroyed",
  forget: "will be removed from state only: the object is left running, unmanaged",
};
const LEGEND: Record<string, string> = {
  replace: "destroy and then create replacement", update: "update in-place", forget: "forget (remove from state, leave running)",
};
const SYMBOL: Record<string, string> = { create: "+", update: "~", replace: "-/+", delete: "-", forget: "." };

export function formatValue(value: PropValue | undefined): string {
  if (value === undefined) return "null";
  if (isRef(value)) return value.$ref;
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{ ${Object.entries(value).map(([k, v]) => `${k} = ${formatValue(v)}`).join(", ")} }`;
  }
  return JSON.stringify(value);
}

function colorFor(action: string, s: Style): (x: string) => string {
  return action === "create" ? s.green : action === "delete" ? s.red : s.yellow;
}

function attributeLines(change: ResourceChange, attr: AttributeChange, width: number, s: Style): string[] {
  const name = attr.path.padEnd(width);
  const force = attr.forcesReplacement && change.action === "replace" ? s.red(" # forces replacement") : "";
  if (change.action === "create") return [`${s.green("+")} ${name} = ${formatValue(attr.after)}`];
  if (change.action === "delete") return [`${s.red("-")} ${name} = ${formatValue(attr.before)}`];
  const after = attr.afterUnknown ? "(known after apply)" : formatValue(attr.after);
  if (attr.before === undefined) return [`${s.green("+")} ${name} = ${after}${force}`];
  if (attr.after === undefined) return [`${s.red("-")} ${name} = ${formatValue(attr.before)}${force}`];
  if (Array.isArray(attr.before) && Array.isArray(attr.after) && !attr.afterUnknown) {
    // Lists read best element by element, as Terraform shows them.
    const lines = [`${s.yellow("~")} ${name} = [`];
    for (const part of diffArrays(attr.before.map(formatValue), attr.after.map(formatValue))) {
      const mark = part.added ? s.green("+") : part.removed ? s.red("-") : " ";
      for (const item of part.value) lines.push(`    ${mark} ${item},`);
    }
    lines.push(`  ]${force}`);
    return lines;
  }
  return [`${s.yellow("~")} ${name} = ${formatValue(attr.before)} -> ${after}${force}`];
}

export function renderChange(change: ResourceChange, s: Style): string {
  const color = colorFor(change.action, s);
  const out = [s.bold(`  # ${change.urn} ${HEADLINE[change.action]}`)];
  if (change.action === "forget") {
    const why = change.keptFor ? `retained ${change.keptFor} needs it` : "retainOnDelete";
    return [...out, s.dim(`  # (because of: ${why})`), `${color(SYMBOL.forget.padStart(3))} resource "${change.kind}" "${change.name}" [id=${change.prior?.id ?? "?"}]`].join("\n");
  }
  if (change.action === "replace") out.push(s.dim(`  # (because of: ${change.replaceReasons.join("; ")})`));
  out.push(`${color(SYMBOL[change.action].padStart(3))} resource "${change.kind}" "${change.name}" {`);
  // An output that is also a declared prop (an Image's digest) shows once, as the prop.
  const computed = change.computed.filter((c) => (c !== "id" || change.action !== "replace") && !change.attributes.some((a) => a.path === c));
  const width = Math.max(0, ...change.attributes.map((a) => a.path.length), ...computed.map((c) => c.length));
  for (const attr of change.attributes) {
    for (const line of attributeLines(change, attr, width, s)) out.push(`      ${line}`);
  }
  for (const output of computed) out.push(`      ${color("+")} ${output.padEnd(width)} = ${s.dim("(known after apply)")}`);
  out.push("    }");
  return out.join("\n");
}

export function renderPlan(plan: Plan, s: Style): string {
  const changes = plan.changes.filter((c) => c.action !== "noop");
  const moves = [
    ...plan.changes.filter((c) => c.movedFrom).map((c) => s.bold(`  # ${c.movedFrom} has moved to ${c.urn}`)),
    ...plan.changes.filter((c) => c.optionsChanged && c.desired).map((c) =>
      s.bold(`  # ${c.urn}: state will record protect = ${c.desired!.options.protect}, retainOnDelete = ${c.desired!.options.retainOnDelete === true}`)),
  ];
  if (changes.length === 0 && moves.length) return `${moves.join("\n")}\n\nPlan: 0 to add, 0 to change, 0 to destroy (state-only changes).\n`;
  if (changes.length === 0) {
    return `${s.green(s.bold("No changes."))} Your infrastructure matches the configuration.\n`;
  }
  const sum = summarize(plan);
  const legend = ["create", "update", "replace", "delete", "forget"]
    .filter((a) => changes.some((c) => c.action === a))
    .map((a) => `  ${colorFor(a, s)(SYMBOL[a].padStart(3))} ${LEGEND[a] ?? a}`);
  return [
    "Resource actions are indicated with the following symbols:",
    ...legend, "", "cinfra will perform the following actions:", "", ...moves, ...(moves.length ? [""] : []),
    ...changes.map((c) => `${renderChange(c, s)}\n`),
    s.bold(`Plan: ${sum.create + sum.replace} to add, ${sum.update} to change, ${sum.delete + sum.replace} to destroy` +
      `${sum.forget ? `, ${sum.forget} to forget` : ""}.`) +
      (sum.replace ? ` (${sum.replace} replaced)` : ""),
    "",
  ].join("\n");
}
