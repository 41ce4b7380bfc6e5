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

export function redactor(secrets: readonly string[]): Redactor {
  const all = new Set(secrets.filter((s) => s.length > 0));
  // Longest first, so a secret that contains another is masked whole.
  const long = [...all].filter((s) => s.length >= MIN_SUBSTRING).sort((a, b) => b.length - a.length);
  const matches = (s: string) => all.has(s) || long.some((secret) => s.includes(secret));
  const value = <T>(v: T): T => {
    if (all.size === 0) return v;
    if (typeof v === "string") return (matches(v) ? SENSITIVE : v) as T;
    if (Array.isArray(v)) return v.map((item) => value(item)) as T;
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, item]) => [k, value(item)])) as T;
    }
    return v;
  };
  const text = (t: string) => long.reduce((out, secret) => out.split(secret).join(SENSITIVE), t);
  return { matches, value, text };
}
