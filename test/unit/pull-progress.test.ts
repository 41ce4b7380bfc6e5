/** Pull progress rendering: bars redrawn in place on a terminal, plain lines per event otherwise (apply's sinks too). */
import { describe, expect, it } from "vitest";
import type { ApplyEvent } from "../../core/apply/applier.js";
import { liveProgress, plainProgress } from "../../cli/render/live-progress.js";
import { pullProgress } from "../../cli/render/pull-progress.js";
import { styleFor } from "../../cli/render/style.js";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, out: { isTTY, write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream };
}
const plainStyle = styleFor({ isTTY: false } as NodeJS.WriteStream);

describe("cinfra images pull progress", () => {
  it("writes a line per event when not a terminal", () => {
    const { writes, out } = stream(false);
    const sink = pullProgress("r/app:1", out, plainStyle);
    sink.event({ kind: "resolved", manifestDigest: "sha256:m", layers: 2, missing: 2 });
    for (const received of [10, 50, 100]) sink.event({ kind: "layer", digest: A, received, total: 100 });
    sink.event({ kind: "layer-done", digest: A });
    sink.close();
    expect(writes).toEqual(["r/app:1: sha256:m, 2 of 2 layers to fetch\n", "fetching aaaaaaaaaaaa (100 bytes)\n", "fetched aaaaaaaaaaaa\n"]);
  });

  it("redraws one bar per layer in place on a terminal", () => {
    const { writes, out } = stream(true);
    const sink = pullProgress("r/app:1", out, plainStyle);
    sink.event({ kind: "resolved", manifestDigest: "sha256:m", layers: 2, missing: 2 });
    sink.event({ kind: "layer", digest: A, received: 50, total: 100 });
    sink.event({ kind: "layer-done", digest: B }); // unknown layer: nothing to finish
    sink.event({ kind: "layer", digest: B, received: 1_000_000, total: 2_000_000 });
    sink.event({ kind: "layer-done", digest: A });
    sink.close();
    const last = writes.filter((w) => !w.startsWith("\x1b")).at(-1) as string;
    expect(last.split("\n").filter(Boolean)).toEqual([
      `  aaaaaaaaaaaa [${"#".repeat(24)}] 0.0/0.0 MB`,
      `  bbbbbbbbbbbb [${"#".repeat(12)}${"-".repeat(12)}] 1.0/2.0 MB`,
    ]);
    expect(writes).toContain("\x1b[2A\x1b[J"); // the two bar lines were cleared before a redraw
  });
});

describe("apply progress with bars", () => {
  const bar = (done: number): ApplyEvent => ({ urn: "image.app" as never, op: "create", phase: "progress", message: `layer: ${done}/10 bytes`, bar: { key: A, done, total: 10 } });

  it("prints a bar's first and final update only, when not a terminal", () => {
    const { writes, out } = stream(false);
    const sink = plainProgress(out, plainStyle);
    for (const done of [1, 5, 10, 10]) sink.event(bar(done));
    expect(writes).toEqual(["image.app: layer: 1/10 bytes\n", "image.app: layer: 10/10 bytes\n"]);
  });

  it("draws the bars under their operation on a terminal", () => {
    const { writes, out } = stream(true);
    const sink = liveProgress(out, plainStyle);
    sink.event({ urn: "image.app" as never, op: "create", phase: "start" });
    sink.event(bar(10));
    sink.close();
    const block = writes.filter((w) => !w.startsWith("\x1b")).at(-1) as string;
    expect(block).toMatch(/… image\.app \(create\) [\d.]+s\n {6}aaaaaaaaaaaa \[#{24}\] 0\.0\/0\.0 MB\n$/);
  });
});
