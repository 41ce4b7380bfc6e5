/** Shared by apply and destroy: show the plan, confirm, run it with progress, report. */
import { hostname, userInfo } from "node:os";
import { createInterface } from "node:readline/promises";
import { applyPlan } from "../../core/apply/applier.js";
import { CinfraError } from "../../core/errors.js";
import { hasChanges, summarize, type Plan } from "../../core/planner/plan-types.js";
import type { StateStore } from "../../core/state-store.js";
import { EXIT, formatError } from "../exit-codes.js";
import type { Runtime } from "../../core/runtime.js";
import { renderPlan } from "../render/plan-text.js";
import { liveProgress, plainProgress } from "../render/live-progress.js";
import { styleFor } from "../render/style.js";
import type { Redactor } from "../../core/config/redact.js";

export interface ExecuteFlags {
  yes?: boolean;
  parallelism?: number;
  lockTimeout?: number;
}

export async function executePlan(
  plan: Plan, flags: ExecuteFlags, store: StateStore, runtime: Runtime, verb: "Apply" | "Destroy", redact?: Redactor,
): Promise<number> {
  const out = styleFor(process.stdout);
  const mask = (text: string) => (redact ? redact.text(text) : text);
  process.stdout.write(renderPlan(redact ? redact.value(plan) : plan, out));
  if (!hasChanges(plan)) return EXIT.ok;
  if (!flags.yes && !(await confirm())) {
    process.stdout.write(`${verb} cancelled.\n`);
    return EXIT.error;
  }
  const startedAt = new Date().toISOString();
  const progress = process.stdout.isTTY ? liveProgress(process.stdout, out) : plainProgress(process.stdout, out);
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(130);
    process.stderr.write("\nInterrupt received: finishing operations in flight and saving state (Ctrl-C again to abort).\n");
    interrupt.abort();
  };
  process.on("SIGINT", onSigint);
  try {
    const result = await applyPlan(plan, {
      store, runtime, parallelism: flags.parallelism, signal: interrupt.signal,
      onEvent: (event) => progress.event(event.message ? { ...event, message: mask(event.message) } : event),
    });
    progress.close();
    for (const failure of result.failed) {
      process.stderr.write(`${out.red("Error:")} ${failure.urn}: ${mask(formatError(failure.error))}\n`);
    }
    const sum = summarize(plan);
    await store.appendHistory({
      stack: plan.stack, startedAt, finishedAt: new Date().toISOString(), user: userName(), command: verb.toLowerCase(),
      summary: sum, result: result.failed.length ? "failed" : result.skipped.length ? "incomplete" : "ok",
    });
    const status = result.failed.length || result.skipped.length ? out.red(`${verb} incomplete!`) : out.green(`${verb} complete!`);
    process.stdout.write(`\n${status} Resources: ${sum.create + sum.replace} added, ${sum.update} changed, ${sum.delete + sum.replace} destroyed` +
      `${sum.forget ? `, ${sum.forget} forgotten (left running)` : ""}` +
      ` (${result.done} operations done, ${result.failed.length} failed, ${result.skipped.length} skipped).\n`);
    return result.failed.length || result.skipped.length ? EXIT.error : EXIT.ok;
  } finally {
    progress.close();
    process.off("SIGINT", onSigint);
  }
}

function userName(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `uid ${process.getuid?.() ?? "?"}@${hostname()}`;
  }
}

async function confirm(): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new CinfraError("NEEDS_CONFIRMATION", "refusing to change anything without confirmation: stdin is not a terminal, pass --yes");
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question("\nDo you want to perform these actions? Only 'yes' will be accepted: ");
    return answer.trim() === "yes";
  } finally {
    rl.close();
  }
}
