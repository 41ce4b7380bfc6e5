import { InvalidArgumentError } from "commander";

/** `--since`/`--until`: a duration back from now ("10m", "1h30m", "45s"), an RFC 3339 time, or Unix seconds -> epoch ms. */
export function parseTimeBound(text: string, now = Date.now()): number {
  const trimmed = text.trim();
  if (/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) {
    let ms = 0;
    for (const m of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms"];
    return now - ms;
  }
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(trimmed) ? Date.parse(trimmed.replace(" ", "T")) : NaN;
  if (Number.isNaN(at)) throw new InvalidArgumentError(`"${text}" is not a time: give a duration back from now (10m, 1h30m), an RFC 3339 time or Unix seconds`);
  return at;
}
