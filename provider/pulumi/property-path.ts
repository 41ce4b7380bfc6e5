/**
 * Core prop paths are dotted (`limits.memory`, `networks[0].ipv4`), which is ambiguous for map keys
 * holding dots (`sysctls.net.ipv4.ip_forward`). Pulumi property paths quote such keys
 * (`sysctls["net.ipv4.ip_forward"]`). Resolving a core path against the values it came from
 * recovers the real keys.
 */
import type { PathSegment } from "./wire-values.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Split a core path into segments, matching keys against the objects in `roots` (longest key first). */
export function resolvePath(text: string, roots: readonly unknown[]): PathSegment[] {
  const segments: PathSegment[] = [];
  let nodes = [...roots];
  let rest = text;
  while (rest.length > 0) {
    const index = /^\[(\d+)\]/.exec(rest);
    if (index) {
      const i = Number(index[1]);
      segments.push(i);
      nodes = nodes.map((n) => (Array.isArray(n) ? n[i] : undefined));
      rest = rest.slice(index[0].length).replace(/^\./, "");
      continue;
    }
    const key = knownKey(rest, nodes) ?? /^[^.[]+/.exec(rest)?.[0] ?? rest;
    segments.push(key);
    nodes = nodes.map((n) => (isPlainObject(n) ? n[key] : undefined));
    rest = rest.slice(key.length).replace(/^\./, "");
  }
  return segments;
}

function knownKey(rest: string, nodes: readonly unknown[]): string | undefined {
  let best: string | undefined;
  for (const node of nodes) {
    if (!isPlainObject(node)) continue;
    for (const key of Object.keys(node)) {
      const fits = rest === key || rest.startsWith(`${key}.`) || rest.startsWith(`${key}[`);
      if (fits && (best === undefined || key.length > best.length)) best = key;
    }
  }
  return best;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Segments as a Pulumi property path: `limits.memory`, `networks[0]`, `labels["app.kubernetes.io/name"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  return segments.map((s, i) => {
    if (typeof s === "number") return `[${s}]`;
    if (IDENTIFIER.test(s)) return i === 0 ? s : `.${s}`;
    return `[${JSON.stringify(s)}]`;
  }).join("");
}

/** Parse a Pulumi property path (as in ignoreChanges) back into segments. */
export function parsePath(text: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const re = /(?:^|\.)([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return [text];
    segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(`"${m[3]}"`) as string));
    at = re.lastIndex;
  }
  return segments;
}

/** Segments as a core dotted path (what diffResource's ignoreChanges expects). */
export function corePath(segments: readonly PathSegment[]): string {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}
