import type { DesiredResource, Kind, PropValue, Props, ResourceState, Urn } from "../model/types.js";

/** `forget`: leave the object running and drop it from state (`retainOnDelete`, Terraform's "forget"). */
export type Action = "create" | "update" | "replace" | "delete" | "forget" | "noop";

export interface AttributeChange {
  path: string;
  before?: PropValue;
  after?: PropValue;
  /** The new value is only known once a dependency has been applied (it is being replaced). */
  afterUnknown: boolean;
  forcesReplacement: boolean;
}

export interface ResourceChange {
  urn: Urn;
  kind: Kind;
  name: string;
  action: Action;
  prior: ResourceState | null;
  desired: DesiredResource | null;
  /** The inputs state will hold after this change (desired props with ignored paths kept as before). */
  after: Props | null;
  /** create: every attribute; update/replace: the changed ones; delete: every prior attribute. */
  attributes: AttributeChange[];
  /** Outputs only the runtime can tell, shown as (known after apply). */
  computed: string[];
  /** Why a replace is needed: the attribute paths that force it, or a dependency being replaced. */
  replaceReasons: string[];
  deleteBeforeReplace: boolean;
  /** Set when the resource was renamed (`aliases`): the state row moves from this urn. */
  movedFrom?: Urn;
  /** The options state keeps (protect, retainOnDelete) differ from the declared ones: state is rewritten. */
  optionsChanged?: boolean;
  /** A forget of a resource without retainOnDelete of its own: this retained resource depends on it. */
  keptFor?: Urn;
}

export interface Plan {
  stack: string;
  /** State identity the plan was made against: a saved plan is stale when these moved. */
  lineage: string;
  serial: number;
  changes: ResourceChange[];
}

export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
  forget: number;
}

export function summarize(plan: Plan): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, replace: 0, delete: 0, forget: 0 };
  for (const change of plan.changes) if (change.action !== "noop") summary[change.action]++;
  return summary;
}

export function hasChanges(plan: Plan): boolean {
  return plan.changes.some((c) => c.action !== "noop" || c.movedFrom !== undefined || c.optionsChanged === true);
}
