import { InvalidArgumentError } from "commander";

/** "30s", "2m", "500ms", "1h" or plain seconds -> milliseconds (for --lock-timeout, --interval). */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`"${text}" is not a duration like 30s, 2m or 500ms`);
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Math.round(Number(m[1]) * factor);
}
