/**
 * Download bars: one line per layer, `<label> [#####-----] 12.3/45.6 MB`, and a block of them redrawn
 * in place on a terminal (cursor up, clear to end), for `cinfra images pull` and apply's live view.
 */
import type { ProgressBar } from "../../core/runtime.js";
import type { Style } from "./style.js";

const WIDTH = 24;
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

export function barLine(label: string, bar: Pick<ProgressBar, "done" | "total">, s: Style): string {
  const ratio = bar.total > 0 ? Math.min(1, bar.done / bar.total) : 0;
  const filled = Math.round(ratio * WIDTH);
  const complete = bar.total > 0 && bar.done >= bar.total;
  const body = `${"#".repeat(filled)}${s.dim("-".repeat(WIDTH - filled))}`;
  return `${label} [${complete ? s.green(body) : body}] ${mb(bar.done)}/${mb(bar.total)} MB`;
}

/** A block of lines at the bottom of a terminal: `draw(lines)` replaces the previous block. */
export class LiveBlock {
  private drawn = 0;
  constructor(private readonly out: NodeJS.WriteStream) {}

  clear(): void {
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  draw(lines: string[]): void {
    this.clear();
    if (lines.length) this.out.write(`${lines.join("\n")}\n`);
    this.drawn = lines.length;
  }
}
