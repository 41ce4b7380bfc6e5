/**
 * The planner: desired resources + prior state -> Plan. Pure (no I/O), deterministic.
 * Every changed attribute is either live-updatable (per the kind's schema) or forces replacement;
 * a resource referencing one that is replaced is itself changed (its ref is "known after apply").
 */
import { PlanError } from "../errors.js";
import { topologicalOrder } from "../graph.js";
import { validateStack } from "../validate-stack.js";
import { SCHEMAS, defaultDeleteBeforeReplace, isUpdatable } from "../kinds/index.js";
import type { DesiredResource, Kind, PropValue, Props, ResourceState, StackState, Urn } from "../model/types.js";
import { equalValues, flatten, refsIn, setPath, underAny } from "./props-path.js";
import type { AttributeChange, Plan, ResourceChange } from "./plan-types.js";
import { removalChanges, sameStoredOptions, storedOptionsOf } from "./retain.js";

export interface PlanOptions {
  /** Force replacement of these resources (`--replace`). */
  replace?: readonly Urn[];
}

export function plan(desired: readonly DesiredResource[], state: StackState, options: PlanOptions = {}): Plan {
  validateStack(desired);
  const order = topologicalOrder(desired);
  const desiredByUrn = new Map(desired.map((d) => [d.urn, d]));
  const priorByUrn = new Map(state.resources.map((r) => [r.urn, r]));
  const replaced = new Set<Urn>();
  const changes: ResourceChange[] = [];

  const moved = new Set<Urn>();
  const deletedFirst = new Set<Urn>();
  for (const urn of order) {
    const wanted = desiredByUrn.get(urn)!;
    // A renamed resource (`aliases`) keeps its object: diff it against the state of its old name.
    const alias = priorByUrn.has(urn) ? undefined : wanted.options.aliases?.find((a) => priorByUrn.has(a) && !desiredByUrn.has(a));
    const prior = priorByUrn.get(alias ?? urn);
    const change = prior ? diffExisting(wanted, prior, replaced, options) : createChange(wanted);
    if (alias) {
      moved.add(alias);
      change.movedFrom = alias;
    }
    if (change.action === "replace") {
      // A successor cannot be created before its predecessor is gone when something it needs is deleted first.
      if (wanted.dependsOn.some((dep) => deletedFirst.has(dep))) change.deleteBeforeReplace = true;
      if (change.deleteBeforeReplace) deletedFirst.add(urn);
      replaced.add(urn);
    }
    changes.push(change);
  }
  changes.push(...removalChanges(state.resources.filter((prior) => !desiredByUrn.has(prior.urn) && !moved.has(prior.urn))));
  return { stack: state.stack, lineage: state.lineage, serial: state.serial, changes };
}

function createChange(wanted: DesiredResource): ResourceChange {
  const attributes = [...flatten(wanted.props)].map(([path, after]): AttributeChange => ({
    path, after, afterUnknown: false, forcesReplacement: false,
  }));
  return {
    urn: wanted.urn, kind: wanted.kind, name: wanted.name, action: "create", prior: null, desired: wanted,
    after: wanted.props, attributes, computed: [...SCHEMAS[wanted.kind].outputs], replaceReasons: [],
    deleteBeforeReplace: false,
  };
}

/** The attribute-level diff of one resource: shared by the planner and the Pulumi provider's Diff. */
export interface ResourceDiff {
  after: Props;
  attributes: AttributeChange[];
  replaceReasons: string[];
}

export function diffResource(
  kind: Kind, priorInputs: Props, desiredProps: Props,
  options: { ignoreChanges?: readonly string[]; replaceOnChanges?: readonly string[]; replacedDeps?: ReadonlySet<Urn> } = {},
): ResourceDiff {
  const schema = SCHEMAS[kind];
  const after = keepIgnored(desiredProps, priorInputs, options.ignoreChanges ?? []);
  const before = flatten(priorInputs);
  const next = flatten(after);
  const attributes: AttributeChange[] = [];
  const replaceReasons: string[] = [];
  for (const path of [...new Set([...before.keys(), ...next.keys()])].sort()) {
    const was = before.get(path);
    const will = next.get(path);
    const replacedTargets = refsIn(will).filter((urn) => options.replacedDeps?.has(urn as Urn));
    if (equalValues(was, will) && replacedTargets.length === 0) continue;
    const forcesReplacement = !isUpdatable(schema, path) || underAny(path, options.replaceOnChanges ?? []);
    attributes.push({ path, before: was, after: will, afterUnknown: replacedTargets.length > 0, forcesReplacement });
    if (forcesReplacement) {
      replaceReasons.push(replacedTargets.length ? `${path} (${replacedTargets.join(", ")} is replaced)` : path);
    }
  }
  return { after, attributes, replaceReasons };
}

function diffExisting(wanted: DesiredResource, prior: ResourceState, replaced: Set<Urn>, options: PlanOptions): ResourceChange {
  const { after, attributes, replaceReasons } = diffResource(wanted.kind, prior.inputs, wanted.props, {
    ignoreChanges: wanted.options.ignoreChanges, replaceOnChanges: wanted.options.replaceOnChanges, replacedDeps: replaced,
  });
  if (options.replace?.includes(wanted.urn)) replaceReasons.push("requested with --replace");

  const action = replaceReasons.length ? "replace" : attributes.length ? "update" : "noop";
  if (action === "replace" && wanted.options.protect) {
    throw new PlanError("PROTECTED", `${wanted.urn} is protected but the plan must replace it (${replaceReasons.join("; ")})`, wanted.location);
  }
  return {
    urn: wanted.urn, kind: wanted.kind, name: wanted.name, action, prior, desired: wanted, after, attributes,
    computed: action === "replace" ? [...SCHEMAS[wanted.kind].outputs] : [], replaceReasons,
    deleteBeforeReplace: wanted.options.deleteBeforeReplace ?? defaultDeleteBeforeReplace(wanted.kind, wanted.props),
    ...(sameStoredOptions(prior.options, storedOptionsOf(wanted.options)) ? {} : { optionsChanged: true }),
  };
}

/** Desired props, except that paths under `ignoreChanges` keep the values state already has. */
function keepIgnored(desired: Props, prior: Props, ignore: readonly string[]): Props {
  if (ignore.length === 0) return desired;
  const out = structuredClone(desired) as Props;
  const priorFlat = flatten(prior);
  for (const path of flatten(desired).keys()) if (underAny(path, ignore)) setPath(out, path, priorFlat.get(path));
  for (const [path, value] of priorFlat) if (underAny(path, ignore)) setPath(out, path, value as PropValue);
  return out;
}
