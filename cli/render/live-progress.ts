/**
 * Apply progress on a terminal: finished steps scroll as plain lines, and below them a live block
 * shows every operation in flight with its elapsed time and its bars (an image pull's layers, one
 * line each), redrawn a few times a second. Not a terminal: plain lines only (progress.ts), fit for
 * logs and CI; a bar there is a line when it starts and one when it completes.
 */
import type { ApplyEvent } from "../../core/apply/applier.js";
import type { ProgressBar } from "../../core/runtime.js";
import { barLine, LiveBlock } from "./bars.js";
import { progressLine } from "./progress.js";
import type { Style } from "./style.js";

export interface ProgressSink {
  event(event: ApplyEvent): void;
  close(): void;
}

export function plainProgress(out: NodeJS.WriteStream, s: Style): ProgressSink {
  const started = new Set<string>();
  const completed = new Set<string>();
  return {
    event(event) {
      if (event.bar) {
        const key = `${event.urn}:${event.bar.key}`;
        const seen = started.has(key);
        started.add(key);
        if (seen && (event.bar.done < event.bar.total || completed.has(key))) return;
        if (event.bar.done >= event.bar.total) completed.add(key);
      }
      const line = progressLine(event, s);
      if (line) out.write(`${line}\n`);
    },
    close() {},
  };
}

export function liveProgress(out: NodeJS.WriteStream, s: Style): ProgressSink {
  const inFlight = new Map<string, { label: string; since: number; note?: string; bars: Map<string, ProgressBar> }>();
  const block = new LiveBlock(out);
  const clear = () => block.clear();
  let lastBarDraw = 0;
  const draw = () => {
    const now = performance.now();
    const lines: string[] = [];
    for (const op of inFlight.values()) {
      lines.push(`  ${s.dim("…")} ${op.label} ${s.dim(`${((now - op.since) / 1000).toFixed(1)}s`)}${op.note ? s.dim(`  ${op.note}`) : ""}`);
      for (const bar of op.bars.values()) lines.push(`      ${barLine(bar.key.replace(/^sha256:/, "").slice(0, 12), bar, s)}`);
    }
    block.draw(lines);
  };
  const timer = setInterval(draw, 200);
  return {
    event(event) {
      const key = `${event.op}:${event.urn}`;
      if (event.phase === "start") {
        inFlight.set(key, { label: `${event.urn} (${event.op})`, since: performance.now(), bars: new Map() });
      } else if (event.phase === "progress") {
        const op = inFlight.get(key);
        if (op && event.bar) {
          op.bars.set(event.bar.key, event.bar);
          // byte counters arrive per chunk: redraw at most every 100 ms (the timer catches up)
          if (performance.now() - lastBarDraw < 100 && event.bar.done < event.bar.total) return;
          lastBarDraw = performance.now();
        } else if (op) op.note = event.message;
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
