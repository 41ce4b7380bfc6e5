import { PlanError } from "../../core/errors.js";
import type { Urn } from "../../core/model/types.js";

/** `web` or `container.web` -> the one matching urn; ambiguity and unknown names are errors. */
export function urnsForNames(names: readonly string[], known: readonly Urn[]): Urn[] {
  return names.map((name) => {
    const matches = known.filter((urn) => urn === name || urn.slice(urn.indexOf(".") + 1) === name);
    if (matches.length === 1) return matches[0];
    if (matches.length === 0) throw new PlanError("UNKNOWN_RESOURCE", `no resource named "${name}" in the stack`);
    throw new PlanError("AMBIGUOUS_NAME", `"${name}" matches ${matches.join(", ")}: give the kind, e.g. ${matches[0]}`);
  });
}
