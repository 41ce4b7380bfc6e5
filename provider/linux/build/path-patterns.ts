/**
 * Path patterns as Docker reads them in .dockerignore and COPY sources: Go's filepath.Match per
 * component (`*`, `?`, `[a-z]`, `[^a]`, `\x`) plus `**` for any number of directories. In
 * .dockerignore a line starting with `!` re-includes, the last matching line wins, and a pattern
 * that matches a directory excludes everything below it.
 */
import { posix } from "node:path";

export interface PathPattern {
  source: string;
  negated: boolean;
  regex: RegExp;
}

/** `/a/./b/` → `a/b`; "" for the context root. */
export function cleanRelative(path: string): string {
  const clean = posix.normalize(`/${path}`).slice(1);
  return clean.endsWith("/") ? clean.slice(0, -1) : clean;
}

export const hasWildcard = (pattern: string): boolean => /[*?[]/.test(pattern);

export function compilePattern(text: string): RegExp {
  const p = cleanRelative(text);
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "*" && p[i + 1] === "*") {
      const slash = p[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "\\" && i + 1 < p.length) re += escapeRe(p[++i]);
    else if (c === "[") {
      const end = p.indexOf("]", i + 2);
      if (end < 0) {
        re += "\\[";
        continue;
      }
      let body = p.slice(i + 1, end);
      if (body.startsWith("^") || body.startsWith("!")) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** The lines of a .dockerignore file (comments and blank lines dropped). */
export function parseIgnoreFile(text: string): PathPattern[] {
  const out: PathPattern[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negated = line.startsWith("!");
    const source = negated ? line.slice(1).trim() : line;
    if (cleanRelative(source) === "") continue;
    out.push({ source, negated, regex: compilePattern(source) });
  }
  return out;
}

/** Is `rel` (clean, relative to the context) excluded by these patterns? */
export function isIgnored(patterns: readonly PathPattern[], rel: string): boolean {
  if (rel === "" || patterns.length === 0) return false;
  const parts = rel.split("/");
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
  let ignored = false;
  for (const pattern of patterns) {
    if (prefixes.some((prefix) => pattern.regex.test(prefix))) ignored = !pattern.negated;
  }
  return ignored;
}
