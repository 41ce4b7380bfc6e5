import { isRef, type PropValue, type Props } from "../model/types.js";

/**
 * Props as a flat map of dotted paths to leaf values. Plain objects are walked; arrays and refs
 * are leaves, so `command` or `networks` diff as a whole (as Terraform shows lists).
 */
export function flatten(props: Props, prefix = "", into = new Map<string, PropValue>()): Map<string, PropValue> {
  for (const key of Object.keys(props).sort()) {
    const value = props[key];
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === "object" && !Array.isArray(value) && !isRef(value)) {
      flatten(value as Props, path, into);
    } else {
      into.set(path, value);
    }
  }
  return into;
}

/** JSON with sorted keys: equal values give equal text whatever the key order they were built in. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function equalValues(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** Does `path` fall under one of `prefixes` (exact, or a parent object of it)? */
export function underAny(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => path === p || path.startsWith(`${p}.`));
}

/** Every ref target mentioned in a value. */
export function refsIn(value: PropValue | undefined, into: string[] = []): string[] {
  if (isRef(value)) into.push(value.$ref);
  else if (Array.isArray(value)) value.forEach((v) => refsIn(v, into));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => refsIn(v, into));
  return into;
}

/** Set a dotted path in a props object, creating parents; `undefined` deletes it. */
export function setPath(props: Props, path: string, value: PropValue | undefined): void {
  const keys = path.split(".");
  let node: Props = props;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[key] = {};
    node = node[key] as Props;
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
}
