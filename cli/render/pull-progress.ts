/**
 * `cinfra images pull` progress. On a terminal: one bar per layer being fetched, redrawn in place
 * (at most every 100 ms); finished layers stay as their final bar. Not a terminal: a line per event
 * (resolved, layer started, layer fetched), fit for logs.
 */
import type { PullProgress } from "../../provider/linux/images/registry/index.js";
import { barLine, LiveBlock } from "./bars.js";
import type { Style } from "./style.js";

const REDRAW_MS = 100;
const short = (digest: string) => digest.slice(7, 19);

export interface PullProgressSink {
  event(event: PullProgress): void;
  close(): void;
}

export function pullProgress(ref: string, out: NodeJS.WriteStream, s: Style): PullProgressSink {
  const resolved = (event: Extract<PullProgress, { kind: "resolved" }>) =>
    `${ref}: ${event.manifestDigest}, ${event.missing} of ${event.layers} layers to fetch\n`;
  if (!out.isTTY) {
    const started = new Set<string>();
    return {
      event(event) {
        if (event.kind === "resolved") out.write(resolved(event));
        else if (event.kind === "layer" && !started.has(event.digest)) {
          started.add(event.digest);
          out.write(`fetching ${short(event.digest)} (${event.total} bytes)\n`);
        } else if (event.kind === "layer-done") out.write(`fetched ${short(event.digest)}\n`);
      },
      close() {},
    };
  }
  const layers = new Map<string, { done: number; total: number }>();
  const block = new LiveBlock(out);
  let last = 0;
  const draw = (force = false) => {
    const now = performance.now();
    if (!force && now - last < REDRAW_MS) return;
    last = now;
    block.draw([...layers].map(([digest, bar]) => `  ${barLine(short(digest), bar, s)}`));
  };
  return {
    event(event) {
      if (event.kind === "resolved") {
        block.clear();
        out.write(resolved(event));
        return draw(true);
      }
      if (event.kind === "layer") layers.set(event.digest, { done: event.received, total: event.total });
      if (event.kind === "layer-done") {
        const bar = layers.get(event.digest);
        if (bar) bar.done = bar.total;
        return draw(true);
      }
      draw();
    },
    close() {
      draw(true); // the final bars stay on screen
    },
  };
}
