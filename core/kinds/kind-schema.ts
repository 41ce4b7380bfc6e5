import type { Kind, Props } from "../model/types.js";

/**
 * One kind's definition, shared by the planner, the CLI applier and the Pulumi provider.
 * Every declared prop is either live-updatable (listed in `updatable`) or forces replacement:
 * the planner never records an in-place update the runtime cannot really apply.
 */
export interface KindSchema {
  kind: Kind;
  /** Validate raw program input and return canonical props (refs as Ref). `path` is `<kind>.<name>`. */
  normalize(raw: unknown, path: string): Props;
  /** Dotted prop paths (a prefix covers everything below it) that the runtime updates live. */
  updatable: readonly string[];
  /** Outputs the runtime computes, shown as `(known after apply)` before creation. */
  outputs: readonly string[];
}

export function isUpdatable(schema: KindSchema, path: string): boolean {
  return schema.updatable.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
}
