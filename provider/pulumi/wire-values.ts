/**
 * Pulumi's encoding of special values inside property structs: secrets are objects carrying a
 * signature key, unknowns (preview values not known yet) are a sentinel string. The provider
 * unwraps secrets before validation and wraps the same paths again on the way out, so a secret
 * input stays secret in every output derived from it.
 */

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A property value as it crosses the wire (a google.protobuf.Struct turned into JS). */
export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };
export type WireObject = { [key: string]: WireValue };

export type PathSegment = string | number;

export function isSecret(value: unknown): value is { [SIG_KEY]: string; value: WireValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

export function secret(value: WireValue): WireObject {
  return { [SIG_KEY]: SECRET_SIG, value };
}

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
  return false;
}

/** Paths (from the root) of every unknown value. */
export function unknownPaths(value: unknown, at: PathSegment[] = [], into: PathSegment[][] = []): PathSegment[][] {
  if (isUnknown(value)) into.push(at);
  else if (Array.isArray(value)) value.forEach((v, i) => unknownPaths(v, [...at, i], into));
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) unknownPaths(v, [...at, k], into);
  }
  return into;
}

export interface Unwrapped<T> {
  plain: T;
  /** Where secrets were, from the root of the value. */
  secretPaths: PathSegment[][];
  /** The plain values that were secret, so derived outputs can be recognised. */
  secretValues: WireValue[];
}

export function unwrapSecrets<T extends WireValue>(value: T): Unwrapped<T> {
  const secretPaths: PathSegment[][] = [];
  const secretValues: WireValue[] = [];
  const walk = (v: WireValue, at: PathSegment[]): WireValue => {
    if (isSecret(v)) {
      secretPaths.push(at);
      const inner = walk(v.value, at);
      secretValues.push(inner);
      return inner;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...at, i]));
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, [...at, k])]));
    }
    return v;
  };
  return { plain: walk(value, []) as T, secretPaths, secretValues };
}

/**
 * Mark `paths` secret in `value`. Where normalization changed the shape (a string became an object,
 * a number a {soft, hard} pair), the value found where the path stops being walkable is marked;
 * a path whose key is gone marks nothing (the value was dropped).
 */
export function wrapSecrets(value: WireObject, paths: readonly PathSegment[][]): WireObject {
  let out = value;
  for (const path of paths) out = wrapAt(out, path) as WireObject;
  return out;
}

function wrapAt(node: WireValue, path: readonly PathSegment[]): WireValue {
  if (isSecret(node)) return node;
  if (path.length === 0) return secret(node);
  const [head, ...rest] = path;
  if (Array.isArray(node)) {
    return typeof head === "number" && head < node.length ? node.map((item, i) => (i === head ? wrapAt(item, rest) : item)) : node;
  }
  if (typeof node === "object" && node !== null) {
    return typeof head === "string" && head in node ? { ...node, [head]: wrapAt(node[head], rest) } : node;
  }
  return secret(node);
}

/**
 * Mark secret every string leaf of `value` that repeats a secret input string (an image's env echoed
 * from its config, …): equal to it, or containing it when it is long enough not to match by chance.
 */
export function wrapDerivedSecrets(value: WireObject, secretValues: readonly WireValue[]): WireObject {
  const strings = new Set<string>();
  const visit = (v: WireValue) => {
    if (typeof v === "string" && v.length > 0) strings.add(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") Object.values(v).forEach(visit);
  };
  secretValues.forEach(visit);
  if (strings.size === 0) return value;
  const leaks = (text: string) => [...strings].some((s) => text === s || (s.length >= 6 && text.includes(s)));
  const walk = (v: WireValue): WireValue => {
    if (isSecret(v)) return v;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item)]));
    return typeof v === "string" && leaks(v) ? secret(v) : v;
  };
  return walk(value) as WireObject;
}
