/**
 * What happens to resources that left the program (or all of them, on destroy): `protect` makes
 * that an error, `retainOnDelete` turns the delete into a forget (state only, the object keeps
 * running), and whatever a retained resource needs is kept with it: deleting the image or network
 * under a container that goes on running would break it.
 */
import { PlanError } from "../errors.js";
import type { ResourceOptionsData, ResourceState, StoredOptions, Urn } from "../model/types.js";
import { flatten } from "./props-path.js";
import type { AttributeChange, ResourceChange } from "./plan-types.js";

/** The options a resource's state row keeps: only the set ones, so old rows and new ones compare alike. */
export function storedOptionsOf(options: ResourceOptionsData): StoredOptions | undefined {
  const stored: StoredOptions = {};
  if (options.protect) stored.protect = true;
  if (options.retainOnDelete) stored.retainOnDelete = true;
  return Object.keys(stored).length ? stored : undefined;
}

export function sameStoredOptions(a: StoredOptions | undefined, b: StoredOptions | undefined): boolean {
  return (a?.protect === true) === (b?.protect === true) && (a?.retainOnDelete === true) === (b?.retainOnDelete === true);
}

/** Changes for prior resources the program no longer declares, sorted by urn. */
export function removalChanges(removed: readonly ResourceState[]): ResourceChange[] {
  const sorted = [...removed].sort((a, b) => a.urn.localeCompare(b.urn));
  const byUrn = new Map(sorted.map((r) => [r.urn, r]));
  const keptFor = new Map<Urn, Urn | null>(); // null: retained by its own option
  for (const r of sorted) if (r.options?.retainOnDelete) keptFor.set(r.urn, null);
  const keepDeps = (urn: Urn) => {
    for (const dep of byUrn.get(urn)?.dependsOn ?? []) {
      if (keptFor.has(dep) || !byUrn.has(dep)) continue;
      keptFor.set(dep, urn);
      keepDeps(dep);
    }
  };
  for (const urn of [...keptFor.keys()]) keepDeps(urn);

  const protectedOnes = sorted.filter((r) => r.options?.protect && !keptFor.has(r.urn));
  if (protectedOnes.length) {
    const names = protectedOnes.map((r) => r.urn).join(", ");
    throw new PlanError("PROTECTED",
      `${names} ${protectedOnes.length > 1 ? "are" : "is"} protected, but ${protectedOnes.length > 1 ? "they are" : "it is"} no longer in the program` +
      " (or being destroyed), so the plan would delete it: declare it with protect: false and apply first," +
      ' or drop it from state only with "cinfra state rm"');
  }
  return sorted.map((prior) => {
    if (!keptFor.has(prior.urn)) return removal(prior, "delete", attributesOf(prior));
    const change = removal(prior, "forget", []);
    const by = keptFor.get(prior.urn);
    if (by) change.keptFor = by;
    return change;
  });
}

function attributesOf(prior: ResourceState): AttributeChange[] {
  return [...flatten(prior.inputs)].map(([path, before]) => ({ path, before, afterUnknown: false, forcesReplacement: false }));
}

function removal(prior: ResourceState, action: "delete" | "forget", attributes: AttributeChange[]): ResourceChange {
  return {
    urn: prior.urn, kind: prior.kind, name: prior.name, action, prior, desired: null, after: null,
    attributes, computed: [], replaceReasons: [], deleteBeforeReplace: false,
  };
}
