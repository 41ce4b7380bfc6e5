/**
 * `cinfra refresh [stack.ts]` (and `plan --refresh-only`, which is `refresh --dry-run`): accept what
 * the host shows into state, and show what was accepted. Nothing on the host changes.
 */
import { hostname, userInfo } from "node:os";
import { CinfraError } from "../../core/errors.js";
import { acceptReality, type Acceptance } from "../../core/drift/refresh.js";
import type { DriftFinding } from "../../core/drift/compare.js";
import { defaultRuntimeConfig } from "../../provider/linux/config.js";
import { openRuntime, openStore, stackName, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { formatValue } from "../render/plan-text.js";
import { styleFor, type Style } from "../render/style.js";
import { scanDrift } from "./drift-scan.js";

export interface RefreshFlags extends GlobalOptions {
  dryRun?: boolean;
  json?: boolean;
  lockTimeout?: number;
}

export async function refreshCommand(file: string | undefined, flags: RefreshFlags): Promise<number> {
  if (file === undefined && flags.stack === undefined) {
    throw new CinfraError("STACK_REQUIRED", "name the stack: cinfra refresh <stack.ts> or --stack <name>");
  }
  const stack = stackName(file, flags);
  const store = await openStore(flags);
  const runtime = openRuntime();
  try {
    const lock = flags.dryRun ? null : await store.lock(stack, "refresh", { timeoutMs: flags.lockTimeout });
    try {
      const startedAt = new Date().toISOString();
      const [scan] = (await scanDrift({ store, runtime, config: defaultRuntimeConfig(), stack })).stacks;
      const accepted = acceptReality({ state: scan.state, live: scan.live, probes: scan.probes, unmanaged: scan.unmanaged });
      if (!flags.dryRun) {
        for (const row of accepted.put) await store.putResource(stack, row);
        for (const row of accepted.remove) await store.deleteResource(stack, row.urn);
        if (accepted.put.length + accepted.remove.length > 0) {
          await store.appendHistory({
            stack, startedAt, finishedAt: new Date().toISOString(), user: userName(), command: "refresh",
            summary: { accepted: accepted.accepted.length, written: accepted.put.length, removed: accepted.remove.length }, result: "ok",
          });
        }
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(acceptanceJson(stack, accepted, Boolean(flags.dryRun)), null, 2)}\n`);
      else process.stdout.write(renderAcceptance(stack, accepted, Boolean(flags.dryRun), styleFor(process.stdout)));
      return EXIT.ok;
    } finally {
      await lock?.release();
    }
  } finally {
    await runtime.close();
    await store.close();
  }
}

function findingText(f: DriftFinding): string {
  if (f.status === "missing") return `${f.urn}: gone from the host, removed from state`;
  if (f.status === "stopped") return `${f.urn}: ${String(f.actual)}${f.detail ? ` (${f.detail})` : ""}, recorded as desiredState "stopped"`;
  if (f.status === "unmanaged") return `${f.urn}: unmanaged${f.detail ? ` (${f.detail})` : ""}`;
  return `${f.urn} ${f.attribute}: ${formatValue(f.expected)} -> ${formatValue(f.actual)}${f.detail ? ` (${f.detail})` : ""}`;
}

export function renderAcceptance(stack: string, a: Acceptance, dryRun: boolean, s: Style): string {
  const out: string[] = [];
  if (a.accepted.length === 0 && a.notAccepted.length === 0) {
    out.push(`Stack ${stack}: state matches the host; nothing to accept.`);
    if (a.put.length) out.push(`Refreshed the outputs of ${a.put.length} resource(s).`);
    return `${out.join("\n")}\n`;
  }
  if (a.accepted.length) {
    out.push(s.bold(`${dryRun ? "Would accept" : "Accepted"} into state of stack ${stack}:`));
    for (const f of a.accepted) out.push(`  ${s.yellow("~")} ${findingText(f)}`);
  }
  if (a.notAccepted.length) {
    out.push(s.bold("Not expressible in state (run \"cinfra apply --refresh\" to repair):"));
    for (const f of a.notAccepted) out.push(`  ${s.red("!")} ${findingText(f)}`);
  }
  if (!dryRun) out.push("", `State updated: ${a.put.length} resource(s) written, ${a.remove.length} removed. "cinfra plan" now shows what the program would change back.`);
  return `${out.join("\n")}\n`;
}

function acceptanceJson(stack: string, a: Acceptance, dryRun: boolean) {
  const row = (f: DriftFinding) => ({
    address: f.urn, type: f.kind, name: f.name, status: f.status, attribute: f.attribute ?? null,
    expected: f.expected ?? null, actual: f.actual ?? null, detail: f.detail ?? null,
  });
  return {
    stack, dry_run: dryRun, accepted: a.accepted.map(row), not_accepted: a.notAccepted.map(row),
    written: a.put.map((r) => r.urn), removed: a.remove.map((r) => r.urn),
  };
}

export function userName(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `uid ${process.getuid?.() ?? "?"}@${hostname()}`;
  }
}
