/**
 * Drift: compare state with what really runs (and, given the program, with what is declared).
 * Pure: the caller reads live state through the runtime, probes the host, and passes both in.
 * Three ways: `expected` is what state says was applied, `actual` what the host shows, `declared`
 * what the program says now (when the program was given).
 */
import type { DesiredResource, Kind, PropValue, ResourceState, StackState, Urn } from "../model/types.js";
import type { LiveResource } from "../runtime.js";
import { equalValues, flatten } from "../planner/props-path.js";
import type { Plan } from "../planner/plan-types.js";

export type DriftStatus = "changed" | "missing" | "stopped" | "unmanaged" | "pending";
export const DRIFT_STATUSES: readonly DriftStatus[] = ["changed", "missing", "stopped", "unmanaged", "pending"];

export interface DriftFinding {
  urn: Urn;
  kind: Kind;
  name: string;
  status: DriftStatus;
  /** changed: a prop path or a host attribute (`network.front.hostInterface`); pending: the planned action. */
  attribute?: string;
  /** What state says (null: state knows no such object). */
  expected?: PropValue;
  /** What the host shows (null: it is gone). */
  actual?: PropValue;
  /** What the program declares at `attribute`, when the program was given. */
  declared?: PropValue;
  detail?: string;
}

/** An object on the host that carries cinfra's ownership (owner.json, interface alias). */
export interface OwnedObject {
  stack: string;
  kind: Kind;
  name: string;
  id: string;
  /** The directory or interface that carries the ownership record. */
  where: string;
  /** Ids of networks a container is attached to, so unmanaged ones are removed in a safe order. */
  uses?: string[];
  /** Set when the object is only an interface (its directory is gone or never was). */
  link?: string;
}

export interface DriftReport {
  stack: string;
  checkedAt: string;
  resources: number;
  findings: DriftFinding[];
  inSync: boolean;
}

/** A container should run unless it is declared stopped; restarting (under its restart policy) counts as running. */
export function shouldRun(state: ResourceState): boolean {
  return state.kind === "container" && (state.inputs.desiredState ?? "running") !== "stopped";
}

export function isStopped(state: ResourceState, live: LiveResource): boolean {
  return shouldRun(state) && live.status !== undefined && live.status !== "running" && live.status !== "restarting";
}

/** State prop paths whose live value differs (paths the runtime cannot observe are skipped). */
export function changedProps(state: ResourceState, live: LiveResource): { path: string; expected: PropValue; actual: PropValue }[] {
  const actual = flatten(live.props);
  const out: { path: string; expected: PropValue; actual: PropValue }[] = [];
  for (const [path, value] of flatten(state.inputs)) {
    if (!actual.has(path)) continue;
    const now = actual.get(path)!;
    if (!equalValues(value, now)) out.push({ path, expected: value, actual: now });
  }
  return out;
}

/** Outputs whose change means the object was rebuilt under cinfra (addresses, the bridge). */
const WATCHED_OUTPUTS = ["ipAddresses", "bridge", "subnet", "gateway"] as const;

export function compareLive(state: ResourceState, live: LiveResource | null): DriftFinding[] {
  const base = { urn: state.urn, kind: state.kind, name: state.name };
  if (!live) {
    return [{ ...base, status: "missing", attribute: "id", expected: state.id, actual: null, detail: `${state.kind} ${state.id} is gone from the host` }];
  }
  const findings: DriftFinding[] = [];
  if (isStopped(state, live)) {
    const code = live.outputs.exitCode;
    findings.push({
      ...base, status: "stopped", attribute: "status", expected: "running", actual: live.status ?? null,
      detail: code !== undefined ? `exit code ${String(code)}` : undefined,
    });
  }
  for (const change of changedProps(state, live)) {
    findings.push({ ...base, status: "changed", attribute: change.path, expected: change.expected, actual: change.actual });
  }
  for (const key of WATCHED_OUTPUTS) {
    if (state.outputs[key] !== undefined && live.outputs[key] !== undefined && !equalValues(state.outputs[key], live.outputs[key])) {
      findings.push({ ...base, status: "changed", attribute: key, expected: state.outputs[key], actual: live.outputs[key] });
    }
  }
  return findings;
}

export function unmanagedFinding(object: OwnedObject): DriftFinding {
  return {
    urn: `${object.kind}.${object.name}`, kind: object.kind, name: object.name, status: "unmanaged",
    attribute: "owner", expected: null, actual: `cinfra:${object.stack}/${object.kind}/${object.name}`,
    detail: `${object.kind} ${object.id} at ${object.where} is in no state`,
  };
}

const STATUS_ORDER: Record<DriftStatus, number> = { missing: 0, stopped: 1, changed: 2, unmanaged: 3, pending: 4 };

/** Stable order: by resource, then status, then attribute, so reports diff cleanly between runs. */
export function sortFindings(findings: DriftFinding[]): DriftFinding[] {
  return findings.sort((a, b) => a.urn.localeCompare(b.urn) || STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    (a.attribute ?? "").localeCompare(b.attribute ?? ""));
}

export function driftReport(input: {
  state: StackState;
  live: ReadonlyMap<Urn, LiveResource | null>;
  /** Host checks the runtime's read does not cover (a deleted veth, a dead port relay, a re-tagged image). */
  probes?: readonly DriftFinding[];
  unmanaged: readonly OwnedObject[];
  /** The program, to add what it declares (`declared`) and its unapplied changes (`pending`). */
  desired?: readonly DesiredResource[];
  plan?: Plan;
  now?: Date;
}): DriftReport {
  const findings: DriftFinding[] = [];
  for (const resource of input.state.resources) findings.push(...compareLive(resource, input.live.get(resource.urn) ?? null));
  findings.push(...(input.probes ?? []));
  for (const object of input.unmanaged) findings.push(unmanagedFinding(object));
  if (input.desired) addDeclared(findings, input.desired);
  for (const change of input.plan?.changes ?? []) {
    if (change.action === "noop" && change.movedFrom === undefined) continue;
    findings.push({
      urn: change.urn, kind: change.kind, name: change.name, status: "pending", attribute: change.action === "noop" ? "move" : change.action,
      detail: change.replaceReasons.length ? `because of: ${change.replaceReasons.join("; ")}` : undefined,
    });
  }
  return {
    stack: input.state.stack, checkedAt: (input.now ?? new Date()).toISOString(), resources: input.state.resources.length,
    findings: sortFindings(findings), inSync: findings.length === 0,
  };
}

function addDeclared(findings: DriftFinding[], desired: readonly DesiredResource[]): void {
  const byUrn = new Map(desired.map((d) => [d.urn, d]));
  const flat = new Map<Urn, Map<string, PropValue>>();
  for (const finding of findings) {
    if (finding.status !== "changed" || !finding.attribute) continue;
    const wanted = byUrn.get(finding.urn);
    if (!wanted) continue;
    if (!flat.has(wanted.urn)) flat.set(wanted.urn, flatten(wanted.props));
    const value = flat.get(wanted.urn)!.get(finding.attribute);
    if (value !== undefined) finding.declared = value;
  }
}

export function summarizeFindings(findings: readonly DriftFinding[]): Record<DriftStatus, number> {
  const out = Object.fromEntries(DRIFT_STATUSES.map((s) => [s, 0])) as Record<DriftStatus, number>;
  for (const f of findings) out[f.status]++;
  return out;
}
