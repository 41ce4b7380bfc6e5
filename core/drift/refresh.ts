/**
 * Two ways to settle drift, both pure:
 * - `refreshedState` (for `apply --refresh`): state as the host really is, so the planner puts the
 *   program back. Changed props become the prior inputs (the planner then rewrites live-updatable
 *   ones and replaces the rest); whatever is gone, stopped or broken underneath (a deleted veth) is
 *   force-replaced, which also replaces what depends on it; unmanaged objects of the stack become
 *   prior resources the program does not declare, so the plan deletes them.
 * - `acceptReality` (for `cinfra refresh`): the rows to write so state says what the host shows.
 */
import type { Props, PropValue, ResourceState, StackState, Urn } from "../model/types.js";
import type { LiveResource } from "../runtime.js";
import type { Plan } from "../planner/plan-types.js";
import { equalValues, setPath } from "../planner/props-path.js";
import { changedProps, compareLive, isStopped, sortFindings, unmanagedFinding, type DriftFinding, type OwnedObject } from "./compare.js";

export const REPLACE_REQUESTED = "requested with --replace";

export interface RefreshInput {
  state: StackState;
  live: ReadonlyMap<Urn, LiveResource | null>;
  probes?: readonly DriftFinding[];
  /** Unmanaged objects that claim this stack. */
  unmanaged?: readonly OwnedObject[];
}

export interface RefreshedState {
  state: StackState;
  /** Resources to force-replace, with the reasons the plan shows. */
  replace: Map<Urn, string[]>;
  /** Unmanaged objects the plan cannot remove (a veth whose container directory is gone). */
  untouched: OwnedObject[];
}

/** Host inputs overlaid with the live values at every path the runtime observed. */
export function liveInputs(state: ResourceState, live: LiveResource): Props {
  const changes = changedProps(state, live);
  if (changes.length === 0) return state.inputs;
  const inputs = structuredClone(state.inputs) as Props;
  for (const change of changes) setPath(inputs, change.path, change.actual);
  return inputs;
}

function describe(value: PropValue | undefined): string {
  return value === null || value === undefined ? "gone" : typeof value === "string" ? value : JSON.stringify(value);
}

/** The urn an unmanaged object takes in the refreshed state: never one the program or state uses. */
export function unmanagedUrn(object: OwnedObject): Urn {
  return `${object.kind}.${object.name}@${object.id.slice(0, 12)}`;
}

export function refreshedState(input: RefreshInput): RefreshedState {
  const replace = new Map<Urn, string[]>();
  const because = (urn: Urn, reason: string) => replace.set(urn, [...(replace.get(urn) ?? []), reason]);
  const resources: ResourceState[] = [];
  for (const prior of input.state.resources) {
    const live = input.live.get(prior.urn) ?? null;
    if (!live) {
      because(prior.urn, "gone from the host");
      resources.push(prior); // kept, so delete cleans what is left of it and dependents are replaced too
      continue;
    }
    if (isStopped(prior, live)) {
      const code = live.outputs.exitCode;
      because(prior.urn, `stopped${code !== undefined ? ` (exit code ${String(code)})` : ""}`);
    }
    resources.push({ ...prior, inputs: liveInputs(prior, live), outputs: { ...prior.outputs, ...live.outputs } });
  }
  for (const probe of input.probes ?? []) {
    if (probe.status === "changed" && probe.attribute) because(probe.urn, `${probe.attribute} is ${describe(probe.actual)}, expected ${describe(probe.expected)}`);
  }
  // A lone interface is removable through the runtime only as a bridge (a network's delete takes the name
  // from outputs); a lone veth dies with its namespace, and is left alone here.
  const removable = (input.unmanaged ?? []).filter((o) => !o.link || o.kind === "network");
  const untouched = (input.unmanaged ?? []).filter((o) => !removable.includes(o));
  const urnOfId = new Map(removable.map((o) => [o.id, unmanagedUrn(o)]));
  for (const object of removable) {
    resources.push({
      urn: unmanagedUrn(object), kind: object.kind, name: object.name, id: object.id, inputs: {},
      outputs: object.link ? { bridge: object.link } : {},
      // A container goes before the unmanaged networks it is attached to.
      dependsOn: (object.uses ?? []).flatMap((id) => (urnOfId.has(id) ? [urnOfId.get(id)!] : [])),
    });
  }
  return { state: { ...input.state, resources }, replace, untouched };
}

/** After planning with `replace` = the refreshed state's keys: say why each is replaced, not "requested". */
export function explainRefreshPlan(plan: Plan, replace: ReadonlyMap<Urn, string[]>, requested: readonly Urn[] = []): Plan {
  const changes = plan.changes.map((change) => {
    const reasons = replace.get(change.urn);
    if (!reasons || change.action !== "replace") return change;
    const kept = change.replaceReasons.filter((r) => r !== REPLACE_REQUESTED || requested.includes(change.urn));
    return { ...change, replaceReasons: [...kept, ...reasons] };
  });
  return { ...plan, changes };
}

export interface Acceptance {
  /** Rows to write: inputs and outputs as the host shows them. */
  put: ResourceState[];
  /** Rows to drop: their objects are gone. */
  remove: ResourceState[];
  accepted: DriftFinding[];
  /** Drift state cannot express (a deleted veth, an unmanaged object): only `apply --refresh` repairs it. */
  notAccepted: DriftFinding[];
}

export function acceptReality(input: RefreshInput): Acceptance {
  const out: Acceptance = { put: [], remove: [], accepted: [], notAccepted: [] };
  for (const prior of input.state.resources) {
    const live = input.live.get(prior.urn) ?? null;
    const findings = compareLive(prior, live);
    if (!live) {
      out.remove.push(prior);
      out.accepted.push(...findings);
      continue;
    }
    const inputs = structuredClone(liveInputs(prior, live)) as Props;
    // A stopped container is accepted as declared stopped: the next plan shows starting it as an update.
    if (isStopped(prior, live)) inputs.desiredState = "stopped";
    const outputs: Props = { ...prior.outputs, ...live.outputs };
    if (isStopped(prior, live)) delete outputs.pid;
    const next: ResourceState = { ...prior, inputs, outputs };
    if (findings.length > 0 || !equalValues(next.outputs, prior.outputs)) out.put.push(next);
    out.accepted.push(...findings);
  }
  out.notAccepted.push(...(input.probes ?? []), ...(input.unmanaged ?? []).map(unmanagedFinding));
  sortFindings(out.accepted);
  sortFindings(out.notAccepted);
  return out;
}
