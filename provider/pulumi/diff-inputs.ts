/**
 * Diff: the planner's own `diffResource` decides, from the kind's schema, which changed props the
 * runtime updates live and which force replacement. The result is Pulumi's plain diff data:
 * detailedDiff per property path, replaces, stables and deleteBeforeReplace.
 */
import { defaultDeleteBeforeReplace } from "../../core/kinds/index.js";
import type { Kind, Props } from "../../core/model/types.js";
import { diffResource } from "../../core/planner/plan.js";
import { corePath, formatPath, parsePath, resolvePath } from "./property-path.js";
import { inputNames, resourceSpec } from "./schema.js";
import { unwrapSecrets, type WireObject } from "./wire-values.js";

export type PropertyDiffKind = "ADD" | "ADD_REPLACE" | "DELETE" | "DELETE_REPLACE" | "UPDATE" | "UPDATE_REPLACE";

export interface DiffResult {
  changes: boolean;
  /** Top-level properties whose change forces replacement. */
  replaces: string[];
  /** Properties (inputs and outputs) this change leaves as they are. */
  stables: string[];
  deleteBeforeReplace: boolean;
  /** Top-level properties that change. */
  diffs: string[];
  detailedDiff: Record<string, { kind: PropertyDiffKind; inputDiff: boolean }>;
}

/** Outputs an in-place update never changes; the run state ones move only with desiredState. */
const STABLE_ON_UPDATE: Record<Kind, { always: string[]; unlessChanged?: [string, string[]] }> = {
  image: { always: ["layers", "env", "cmd", "entrypoint", "workdir", "user"] },
  volume: { always: ["mountpoint"] },
  network: { always: ["bridge", "subnet", "gateway"] },
  container: { always: ["ipAddresses"], unlessChanged: ["desiredState", ["pid", "startedAt", "exitCode", "restarts"]] },
};

export function diffInputs(kind: Kind, oldInputs: WireObject, news: WireObject, ignoreChanges: readonly string[] = []): DiffResult {
  const before = unwrapSecrets(oldInputs).plain as Props;
  const after = unwrapSecrets(news).plain as Props;
  const ignore = ignoreChanges.map((p) => corePath(parsePath(p)));
  const { attributes } = diffResource(kind, before, after, { ignoreChanges: ignore });

  const detailedDiff: DiffResult["detailedDiff"] = {};
  const replaces = new Set<string>();
  const diffs = new Set<string>();
  for (const attr of attributes) {
    const segments = resolvePath(attr.path, [before, after]);
    const base = attr.before === undefined ? "ADD" : attr.after === undefined ? "DELETE" : "UPDATE";
    detailedDiff[formatPath(segments)] = { kind: attr.forcesReplacement ? `${base}_REPLACE` : base, inputDiff: true };
    const top = String(segments[0]);
    diffs.add(top);
    if (attr.forcesReplacement) replaces.add(top);
  }

  const replacing = replaces.size > 0;
  const stables = inputNames(kind).filter((name) => !diffs.has(name));
  if (!replacing) {
    const rule = STABLE_ON_UPDATE[kind];
    stables.push(...rule.always);
    if (rule.unlessChanged && !diffs.has(rule.unlessChanged[0])) stables.push(...rule.unlessChanged[1]);
  }
  const outputs = Object.keys(resourceSpec(kind).properties);
  return {
    changes: attributes.length > 0,
    replaces: [...replaces],
    stables: [...new Set(stables)].filter((s) => outputs.includes(s)),
    deleteBeforeReplace: replacing && defaultDeleteBeforeReplace(kind, after),
    diffs: [...diffs],
    detailedDiff,
  };
}
