/**
 * Drift: compare state with what really runs (and, given the program, with what is declared).
 * Pure: the caller reads live state through the runtime and passes it in.
 */
import type { Kind, PropValue, ResourceState, StackState, Urn } from "../model/types.js";
import type { LiveResource } from "../runtime.js";
import { equalValues, flatten } from "../planner/props-path.js";
import type { Plan } from "../planner/plan-types.js";

export type DriftStatus = "changed" | "missing" | "stopped" | "unmanaged" | "pending";

export interface DriftFinding {
  urn: Urn;
  kind: Kind;
  name: string;
  status: DriftStatus;
  /** For `changed`: the prop path; for `pending`: the planned action. */
  attribute?: string;
  expected?: PropValue;
  actual?: PropValue;
  detail?: string;
}

/** An object on the host that carries cinfra's ownership but is in no state. */
export interface OwnedObject {
  stack: string;
  kind: Kind;
  name: string;
  id: string;
  where: string;
}

export interface DriftReport {
  stack: string;
  checkedAt: string;
  resources: number;
  findings: DriftFinding[];
  inSync: boolean;
}

/** Containers that should run: every managed container (desiredState arrives with the runtime issue). */
function shouldRun(state: ResourceState): boolean {
  return state.kind === "container";
}

export function compareLive(state: ResourceState, live: LiveResource | null): DriftFinding[] {
  const base = { urn: state.urn, kind: state.kind, name: state.name };
  if (!live) return [{ ...base, status: "missing", detail: `${state.kind} ${state.id} is gone from the host` }];
  const findings: DriftFinding[] = [];
  if (shouldRun(state) && live.status && live.status !== "running") {
    const code = live.outputs.exitCode;
    findings.push({ ...base, status: "stopped", actual: live.status, detail: code !== undefined ? `exit code ${String(code)}` : undefined });
  }
  const expected = flatten(state.inputs);
  const actual = flatten(live.props);
  for (const [path, value] of expected) {
    if (!actual.has(path)) continue; // the runtime cannot observe this prop
    if (!equalValues(value, actual.get(path))) {
      findings.push({ ...base, status: "changed", attribute: path, expected: value, actual: actual.get(path) });
    }
  }
  for (const key of ["ipAddresses", "bridge"] as const) {
    if (state.outputs[key] !== undefined && live.outputs[key] !== undefined && !equalValues(state.outputs[key], live.outputs[key])) {
      findings.push({ ...base, status: "changed", attribute: key, expected: state.outputs[key], actual: live.outputs[key] });
    }
  }
  return findings;
}

export function driftReport(input: {
  state: StackState;
  live: ReadonlyMap<Urn, LiveResource | null>;
  unmanaged: readonly OwnedObject[];
  plan?: Plan;
  now?: Date;
}): DriftReport {
  const findings: DriftFinding[] = [];
  for (const resource of input.state.resources) findings.push(...compareLive(resource, input.live.get(resource.urn) ?? null));
  for (const object of input.unmanaged) {
    findings.push({
      urn: `${object.kind}.${object.name}`, kind: object.kind, name: object.name, status: "unmanaged",
      detail: `${object.kind} ${object.id} of stack "${object.stack}" at ${object.where} is in no state`,
    });
  }
  for (const change of input.plan?.changes ?? []) {
    if (change.action !== "noop") findings.push({ urn: change.urn, kind: change.kind, name: change.name, status: "pending", attribute: change.action });
  }
  return {
    stack: input.state.stack, checkedAt: (input.now ?? new Date()).toISOString(), resources: input.state.resources.length,
    findings, inSync: findings.length === 0,
  };
}
