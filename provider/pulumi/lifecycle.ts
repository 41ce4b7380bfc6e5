/**
 * Create, Read, Update and Delete over the runtime's own kind operations (the ones the CLI applier
 * calls). A resource's Pulumi state is its canonical inputs (references as ids) plus the runtime's
 * outputs; secret inputs come back secret. `preview` never touches the host.
 */
import { randomBytes } from "node:crypto";
import { RuntimeError } from "../../core/errors.js";
import { SCHEMAS } from "../../core/kinds/index.js";
import { isRef, parseUrn, urnOf, type Kind, type Props, type ResourceState, type Urn } from "../../core/model/types.js";
import { diffResource } from "../../core/planner/plan.js";
import type { OperationContext, Runtime } from "../../core/runtime.js";
import { normalizeInputs } from "./check-inputs.js";
import { corePath, parsePath } from "./property-path.js";
import { referencedUrns, toPulumiShape } from "./references.js";
import { inputNames, resourceSpec } from "./schema.js";
import {
  UNKNOWN, unwrapSecrets, wrapDerivedSecrets, wrapSecrets, type PathSegment, type WireObject, type WireValue,
} from "./wire-values.js";

/** Which resource an operation is about: its kind, Pulumi name, and the stack it belongs to. */
export interface Target {
  kind: Kind;
  name: string;
  /** cinfra's stack identity for owner records (`pulumi-<project>-<stack>`). */
  stack: string;
}

export class Lifecycle {
  constructor(private readonly runtime: () => Runtime, private readonly progress: (message: string) => void = () => {}) {}

  async create(t: Target, inputs: WireObject, preview: boolean): Promise<{ id: string; properties: WireObject }> {
    const { plain, secretPaths, secretValues } = unwrapSecrets(inputs);
    if (preview) {
      const unknownOutputs = Object.fromEntries(outputNames(t.kind).map((name) => [name, UNKNOWN]));
      return { id: "", properties: wrapSecrets({ ...unknownOutputs, ...plain }, secretPaths) };
    }
    const props = normalizeInputs(t.kind, plain);
    const ctx = await this.context(t, props);
    const result = await this.runtime().operations(t.kind).create(ctx, {
      urn: urnOf(t.kind, t.name), name: t.name, id: randomBytes(8).toString("hex"), props,
    });
    return { id: result.id, properties: stateOf(props, result.outputs, secretPaths, secretValues) };
  }

  /** Live state, or null when the object is gone. `inputs` are the old inputs, when the engine has them. */
  async read(t: Target, id: string, properties: WireObject, inputs: WireObject | undefined): Promise<{ id: string; properties: WireObject; inputs: WireObject } | null> {
    const old = priorInputs(t.kind, properties, inputs);
    const secrets = unwrapSecrets(old);
    const prior = this.priorState(t, id, old, properties);
    const live = await this.runtime().operations(t.kind).read(await this.context(t, {}), prior);
    if (!live) return null;
    const observed = observedInputs(prior.inputs, live.props);
    return {
      id: live.id,
      properties: stateOf(observed, live.outputs, secrets.secretPaths, secrets.secretValues),
      inputs: wrapSecrets(toPulumiShape(observed), secrets.secretPaths),
    };
  }

  async update(t: Target, id: string, olds: WireObject, oldInputs: WireObject | undefined, news: WireObject,
    options: { preview: boolean; ignoreChanges: readonly string[] }): Promise<WireObject> {
    const prior = this.priorState(t, id, priorInputs(t.kind, olds, oldInputs), olds);
    const { plain, secretPaths, secretValues } = unwrapSecrets(news);
    if (options.preview) return stateOf(plain as Props, prior.outputs, secretPaths, secretValues);
    const props = normalizeInputs(t.kind, plain);
    const ignore = options.ignoreChanges.map((p) => corePath(parsePath(p)));
    const { after, replaceReasons } = diffResource(t.kind, prior.inputs, props, { ignoreChanges: ignore });
    if (replaceReasons.length > 0) {
      throw new RuntimeError("NOT_UPDATABLE", `${t.kind} ${t.name}: ${replaceReasons.join(", ")} cannot change in place; it must be replaced`);
    }
    const outputs = await this.runtime().operations(t.kind).update(await this.context(t, {}), prior, after);
    return stateOf(after, outputs, secretPaths, secretValues);
  }

  async delete(t: Target, id: string, olds: WireObject, oldInputs: WireObject | undefined): Promise<void> {
    const prior = this.priorState(t, id, priorInputs(t.kind, olds, oldInputs), olds);
    await this.runtime().operations(t.kind).delete(await this.context(t, {}), prior);
  }

  private priorState(t: Target, id: string, inputs: WireObject, state: WireObject): ResourceState {
    const plain = unwrapSecrets(inputs).plain;
    let canonical: Props;
    try {
      canonical = normalizeInputs(t.kind, plain);
    } catch {
      canonical = plain as Props; // state written by something else (an import): keep what there is
    }
    return {
      urn: urnOf(t.kind, t.name), kind: t.kind, name: t.name, id, inputs: canonical,
      outputs: runtimeOutputs(t.kind, unwrapSecrets(state).plain as Props), dependsOn: referencedUrns(canonical),
    };
  }

  /** The runtime's view of each referenced resource, read live from its id (the engine only passes ids). */
  private async context(t: Target, props: Props): Promise<OperationContext> {
    const deps = new Map<Urn, ResourceState>();
    const base: OperationContext = { stack: t.stack, deps, progress: this.progress };
    for (const urn of referencedUrns(props)) {
      const { kind, name: id } = parseUrn(urn);
      const stub: ResourceState = { id, urn, kind, name: id, inputs: {}, outputs: {}, dependsOn: [] };
      const live = await this.runtime().operations(kind).read(base, stub);
      if (!live) throw new RuntimeError("DEPENDENCY_MISSING", `${t.kind} ${t.name}: ${kind} ${id} does not exist on this host`);
      deps.set(urn, { ...stub, id: live.id, inputs: live.props, outputs: live.outputs });
    }
    return base;
  }
}

function outputNames(kind: Kind): string[] {
  const inputs = inputNames(kind);
  return Object.keys(resourceSpec(kind).properties).filter((p) => !inputs.includes(p));
}

/** Old inputs: the engine's copy when it sent one, else the input properties kept in state. */
function priorInputs(kind: Kind, state: WireObject, inputs: WireObject | undefined): WireObject {
  if (inputs && Object.keys(inputs).length > 0) return inputs;
  const names = inputNames(kind);
  return Object.fromEntries(Object.entries(state).filter(([k]) => names.includes(k)));
}

/** State minus the echoed inputs: what the runtime computed (inputs that are also core outputs stay). */
function runtimeOutputs(kind: Kind, state: Props): Props {
  const inputs = inputNames(kind);
  const coreOutputs = SCHEMAS[kind].outputs;
  return Object.fromEntries(Object.entries(state).filter(([k]) => !inputs.includes(k) || coreOutputs.includes(k)));
}

/**
 * What the host shows, in the shape of the inputs: a prop the runtime cannot observe keeps its last
 * known value (as the CLI's drift comparison treats it), an observed one takes the live value.
 */
function observedInputs(prior: Props, live: Props): Props {
  const out: Props = { ...prior };
  for (const [key, value] of Object.entries(live)) {
    const before = prior[key];
    out[key] = isMap(before) && isMap(value) ? observedInputs(before, value) : value;
  }
  return out;
}

function isMap(value: unknown): value is Props {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isRef(value);
}

/** Pulumi state: runtime outputs (less `id`, which Pulumi keeps apart) under the canonical inputs. */
function stateOf(props: Props, outputs: Props, secretPaths: PathSegment[][], secretValues: WireValue[]): WireObject {
  const { id: _id, ...computed } = outputs;
  const merged = { ...wrapDerivedSecrets(toPulumiShape(computed), secretValues), ...toPulumiShape(props) };
  return wrapSecrets(merged, secretPaths);
}
