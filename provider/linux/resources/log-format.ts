/**
 * The CRI log format the shim writes (native/logger.c): `<RFC3339Nano> <stdout|stderr> <F|P> <text>`.
 * P entries are parts of one long or unterminated line; they join the next F entry of the same stream.
 */
import type { LogEntry } from "../../../core/runtime.js";

interface RawEntry {
  time: string;
  stream: "stdout" | "stderr";
  full: boolean;
  text: string;
}

export function parseLogLine(line: string): RawEntry | null {
  const m = /^(\S+) (stdout|stderr) ([FP]) /.exec(line);
  if (!m) return null;
  return { time: m[1], stream: m[2] as "stdout" | "stderr", full: m[3] === "F", text: line.slice(m[0].length) };
}

/** Joins P parts into whole lines (timed by their first part); whatever is left open stays pending. */
export class LineAssembler {
  private readonly pending = new Map<string, { time: string; text: string }>();

  push(raw: RawEntry): LogEntry | null {
    const open = this.pending.get(raw.stream);
    if (!raw.full) {
      this.pending.set(raw.stream, { time: open?.time ?? raw.time, text: (open?.text ?? "") + raw.text });
      return null;
    }
    this.pending.delete(raw.stream);
    return { time: open?.time ?? raw.time, stream: raw.stream, text: (open?.text ?? "") + raw.text };
  }

  /** Lines that never ended (the writer exited mid-line), oldest first. */
  drain(): LogEntry[] {
    const out = [...this.pending.entries()].map(([stream, p]) => ({ time: p.time, stream: stream as LogEntry["stream"], text: p.text, partial: true }));
    this.pending.clear();
    return out.sort((a, b) => (a.time < b.time ? -1 : 1));
  }
}

/** Within [since, until), compared at millisecond precision. */
export function inWindow(entry: LogEntry, since?: number, until?: number): boolean {
  if (since === undefined && until === undefined) return true;
  const t = Date.parse(entry.time);
  return (since === undefined || t >= since) && (until === undefined || t < until);
}
