/** `cinfra history`: every apply and destroy of a stack: when, who, what the plan held, how it ended. */
import type { HistoryEntry } from "../../core/state-store.js";
import { openStore, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { resolveStack } from "./state-commands.js";

export interface HistoryFlags extends GlobalOptions {
  json?: boolean;
  limit?: number;
}

interface Counts { create?: number; update?: number; replace?: number; delete?: number }

/** `+2 ~1 -/+1 -0`, Terraform's symbols for create, update, replace, delete. */
export function summaryText(summary: unknown): string {
  const s = (summary && typeof summary === "object" ? summary : {}) as Counts;
  return `+${s.create ?? 0} ~${s.update ?? 0} -/+${s.replace ?? 0} -${s.delete ?? 0}`;
}

export function durationText(entry: HistoryEntry): string {
  if (!entry.finishedAt) return "-";
  const ms = Date.parse(entry.finishedAt) - Date.parse(entry.startedAt);
  if (!Number.isFinite(ms) || ms < 0) return "-";
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : ms < 120_000 ? `${Math.round(ms / 1000)}s` : `${Math.round(ms / 60_000)}m`;
}

/** `first`: the number of the first entry shown (entries are numbered from the stack's first apply). */
export function historyTable(entries: HistoryEntry[], first = 1): string {
  const header = ["#", "STARTED", "USER", "COMMAND", "RESULT", "CHANGES", "DURATION"];
  const cells = entries.map((e, i) => [String(first + i), e.startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z"), e.user, e.command, e.result, summaryText(e.summary), durationText(e)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  return [header, ...cells].map((line) => line.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}

export async function historyCommand(flags: HistoryFlags): Promise<number> {
  const store = await openStore(flags);
  try {
    const stack = await resolveStack(store, flags);
    const all = await store.history(stack);
    const entries = flags.limit ? all.slice(-flags.limit) : all;
    if (flags.json) process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    else process.stdout.write(entries.length ? historyTable(entries, all.length - entries.length + 1) : `No applies recorded for stack "${stack}".\n`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
