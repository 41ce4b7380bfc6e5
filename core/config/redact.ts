/**
 * Secrets never reach output: any string value that is, or contains, a secret's plaintext is shown
 * as `(sensitive)` (plans, JSON, state views), and occurrences in log text are masked. Matching is by
 * value, so a secret stays hidden wherever the program puts it (an env var, a command line, a URL).
 */
export const SENSITIVE = "(sensitive)";

/** Shorter secrets are masked only where they are a whole value: masking every "ab" in a log helps nobody. */
const MIN_SUBSTRING = 4;

export interface Redactor {
  /** True when this string is, or contains, a secret. */
  matches(value: string): boolean;
  /** A deep copy with every matching string replaced by `(sensitive)`; other values untouched. */
  value<T>(value: T): T;
  /** The text with every occurrence of a secret replaced by `(sensitive)`. */
  text(text: string): string;
}

/** A value state keeps encrypted (`{ "$secret": "v1:…" }`): shown as `(sensitive)` even without the key. */
export function isSealedValue(value: unknown): value is { $secret: string } {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    typeof (value as { $secret?: unknown }).$secret === "string" && Object.keys(value).length === 1;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function redactor(secrets: readonly string[]): Redactor {
  const all = new Set(secrets.filter((s) => s.length > 0));
  // Longest first, so a secret that contains another is masked whole.
  const long = [...all].filter((s) => s.length >= MIN_SUBSTRING).sort((a, b) => b.length - a.length);
  const matches = (s: string) => all.has(s) || long.some((secret) => s.includes(secret));
  // Copies only what changes (a plan of 10 000 resources with no secret comes back as the same object), and
  // walks plain data only: class instances (lazy source locations, …) are not props and are passed through.
  const value = <T>(v: T): T => {
    if (isSealedValue(v)) return SENSITIVE as T;
    if (typeof v === "string") return (matches(v) ? SENSITIVE : v) as T;
    if (Array.isArray(v)) {
      let out: unknown[] | null = null;
      v.forEach((item, i) => {
        const next = value(item);
        if (next !== item) (out ??= [...v])[i] = next;
      });
      return (out ?? v) as T;
    }
    if (v && typeof v === "object" && isPlain(v)) {
      let out: Record<string, unknown> | null = null;
      for (const [k, item] of Object.entries(v)) {
        const next = value(item);
        if (next !== item) (out ??= { ...(v as Record<string, unknown>) })[k] = next;
      }
      return (out ?? v) as T;
    }
    return v;
  };
  const text = (t: string) => long.reduce((out, secret) => out.split(secret).join(SENSITIVE), t);
  return { matches, value, text };
}
