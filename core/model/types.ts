/** The data model shared by the planner, the applier, state stores and runtimes. Plain data only. */

export type Kind = "image" | "volume" | "network" | "container";
export const KINDS: readonly Kind[] = ["image", "volume", "network", "container"];

/** Resource identity within a stack: `<kind>.<name>`, e.g. `container.web`. */
export type Urn = `${Kind}.${string}`;

export function urnOf(kind: Kind, name: string): Urn {
  return `${kind}.${name}`;
}

export function parseUrn(urn: string): { kind: Kind; name: string } {
  const dot = urn.indexOf(".");
  return { kind: urn.slice(0, dot) as Kind, name: urn.slice(dot + 1) };
}

/** A reference from one resource's props to another resource. */
export interface Ref {
  readonly $ref: Urn;
}

export type PropValue = string | number | boolean | null | Ref | PropValue[] | { [key: string]: PropValue };
export type Props = { [key: string]: PropValue };

export function isRef(value: unknown): value is Ref {
  return typeof value === "object" && value !== null && typeof (value as Ref).$ref === "string";
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface ResourceOptionsData {
  protect: boolean;
  /** Leaving the program (or destroy) removes the resource from state only; the object keeps running. */
  retainOnDelete?: boolean;
  /** Dotted prop paths whose changes the planner ignores, e.g. `limits.memory`. */
  ignoreChanges: string[];
  /** Replace instead of deleting first and creating after (or the reverse), overriding the kind's default. */
  deleteBeforeReplace?: boolean;
  /** Prop paths whose changes force replacement even when the runtime could update them live. */
  replaceOnChanges?: string[];
  /** Earlier urns of this resource: a rename that keeps the object instead of replacing it. */
  aliases?: Urn[];
}

/** What the stack program declares, after validation and normalization. */
export interface DesiredResource {
  urn: Urn;
  kind: Kind;
  name: string;
  props: Props;
  /** Explicit `dependsOn` plus every resource referenced from props. */
  dependsOn: Urn[];
  options: ResourceOptionsData;
  location?: SourceLocation;
}

/** What state remembers of a resource after its last successful operation. */
export interface ResourceState {
  urn: Urn;
  kind: Kind;
  name: string;
  /** The runtime's id for the object (container id, bridge id, image digest, …). */
  id: string;
  /** The normalized props as last applied (what the user declared). */
  inputs: Props;
  /** Computed by the runtime: ip addresses, paths, digests, … */
  outputs: Props;
  dependsOn: Urn[];
  /** Options that must outlive the program's declaration: they decide what happens once it is gone. */
  options?: StoredOptions;
}

/** The resource options state keeps (only the true ones are written). */
export interface StoredOptions {
  protect?: boolean;
  retainOnDelete?: boolean;
}

/** An operation recorded before the runtime call, so a crash leaves enough to adopt or clean. */
export interface PendingOperation {
  urn: Urn;
  op: "create" | "update" | "delete";
  id: string;
  startedAt: string;
  /** For create: the props being created, so recovery can adopt or delete. */
  props?: Props;
}

export interface StackState {
  stack: string;
  lineage: string;
  serial: number;
  resources: ResourceState[];
  pending: PendingOperation[];
}
