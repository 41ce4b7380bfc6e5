/**
 * Apply progress on a terminal: finished steps scroll as plain lines, and below them a live block
 * shows every operation in flight with its elapsed time, redrawn a few times a second.
 * Not a terminal: plain lines only (progress.ts), fit for logs and CI.
 */
import type { ApplyEvent } from "../../core/apply/applier.js";
import { progressLine } from "./progress.js";
import type { Style } from "./style.js";

export interface ProgressSink {
  event(event: ApplyEvent): void;
  close(): void;
}

export function plainProgress(out: NodeJS.WriteStream, s: Style): ProgressSink {
  return {
    event(event) {
      const line = progressLine(event, s);
      if (line) out.write(`${line}\n`);
    },
    close() {},
  };
}

export function liveProgress(out: NodeJS.WriteStream, s: Style): ProgressSink {
  const inFlight = new Map<string, { label: string; since: number; note?: string }>();
  let drawn = 0;
  const clear = () => {
    if (drawn) out.write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    clear();
    const now = performance.now();
    const lines = [...inFlight.values()].map((op) =>
      `  ${s.dim("…")} ${op.label} ${s.dim(`${((now - op.since) / 1000).toFixed(1)}s`)}${op.note ? s.dim(`  ${op.note}`) : ""}`);
    if (lines.length) out.write(`${lines.join("\n")}\n`);
    drawn = lines.length;
  };
  const timer = setInterval(draw, 200);
  return {
    event(event) {
      const key = `${event.op}:${event.urn}`;
      if (event.phase === "start") {
        inFlight.set(key, { label: `${event.urn} (${event.op})`, since: performance.now() });
      } else if (event.phase === "progress") {
        const op = inFlight.get(key);
        if (op) op.note = event.message;
        return void draw();
      } else {
        inFlight.delete(key);
      }
      if (event.phase === "start") return void draw();
      clear();
      const line = progressLine(event, s);
      if (line) out.write(`${line}\n`);
      draw();
    },
    close() {
      clearInterval(timer);
      clear();
    },
  };
}
