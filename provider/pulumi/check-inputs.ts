/**
 * Check: the kind's own `normalize` (the very code the CLI runs) validates the inputs and returns
 * them canonical, in Pulumi's shape (references as ids). Validation errors become CheckFailures
 * with Pulumi property paths. Values still unknown in a preview are validated once known.
 */
import { ValidationError } from "../../core/errors.js";
import { SCHEMAS } from "../../core/kinds/index.js";
import { RESOURCE_NAME } from "../../core/model/check.js";
import type { Kind, Props } from "../../core/model/types.js";
import type { Failure } from "./provider-config.js";
import { formatPath, resolvePath } from "./property-path.js";
import { WIRE_NAME, toCoreRaw, toPulumiShape } from "./references.js";
import { unknownPaths, unwrapSecrets, wrapSecrets, type PathSegment, type WireObject } from "./wire-values.js";

export interface CheckResult {
  inputs: WireObject;
  failures: Failure[];
}

export function checkInputs(kind: Kind, name: string, news: WireObject): CheckResult {
  if (!RESOURCE_NAME.re.test(name)) {
    return { inputs: news, failures: [{ property: "", reason: `resource name ${JSON.stringify(name)} is not ${RESOURCE_NAME.what}` }] };
  }
  const { plain, secretPaths } = unwrapSecrets(news);
  try {
    const canonical = normalizeInputs(kind, plain);
    return { inputs: wrapSecrets(toPulumiShape(canonical), secretPaths), failures: [] };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const segments = wirePath(resolvePath(relativePath(kind, error.path), [plain]));
    // A failure at (or around) a value the engine does not know yet is no failure: it is checked again later.
    if (unknownPaths(plain).some((u) => overlaps(u, segments))) return { inputs: news, failures: [] };
    return { inputs: news, failures: [{ property: formatPath(segments), reason: error.reason }] };
  }
}

/** Pulumi-shaped inputs to canonical core props (refs as `{ $ref }`); throws ValidationError. */
export function normalizeInputs(kind: Kind, plain: WireObject): Props {
  return SCHEMAS[kind].normalize(toCoreRaw(kind, plain), kind);
}

/** A failure under a renamed prop (`pid.container`) names the wire prop the program wrote (`pidMode`). */
function wirePath(segments: PathSegment[]): PathSegment[] {
  const wire = typeof segments[0] === "string" ? WIRE_NAME[segments[0]] : undefined;
  return wire ? [wire] : segments;
}

function relativePath(kind: Kind, path: string): string {
  if (path === kind) return "";
  return path.startsWith(`${kind}.`) ? path.slice(kind.length + 1) : path;
}

function overlaps(a: readonly PathSegment[], b: readonly PathSegment[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
