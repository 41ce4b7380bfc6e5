/**
 * Executes a plan through a Runtime, in dependency order, `parallelism` operations at a time.
 * Before each runtime call a pending operation is recorded; the resource's row is written the
 * moment its operation finishes, so a crash at any point leaves state that the next run can recover.
 * A failed operation skips everything that waits on it; independent branches go on.
 */
import { randomBytes } from "node:crypto";
import type { ResourceState, Urn } from "../model/types.js";
import { storedOptionsOf } from "../planner/retain.js";
import type { Plan } from "../planner/plan-types.js";
import type { OperationContext, ProgressBar, Runtime } from "../runtime.js";
import type { StateStore } from "../state-store.js";
import { planOperations, type OpKind, type Operation } from "./operations.js";

export interface ApplyEvent {
  urn: Urn;
  op: OpKind;
  phase: "start" | "progress" | "done" | "failed" | "skipped";
  elapsedMs?: number;
  message?: string;
  /** For a "progress" event: the counter it updates (see OperationContext.progress). */
  bar?: ProgressBar;
  id?: string;
  error?: unknown;
}

export interface ApplyOptions {
  store: StateStore;
  runtime: Runtime;
  parallelism?: number;
  onEvent?: (event: ApplyEvent) => void;
  /** Stop starting new operations (in-flight ones finish and are saved). */
  signal?: AbortSignal;
}

export interface ApplyResult {
  done: number;
  failed: { urn: Urn; op: OpKind; error: unknown }[];
  skipped: Urn[];
}

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const { store, runtime } = options;
  const emit = options.onEvent ?? (() => {});
  const ops = planOperations(plan);
  const current = new Map<Urn, ResourceState>();
  for (const change of plan.changes) if (change.prior) current.set(change.urn, change.prior);

  const result: ApplyResult = { done: 0, failed: [], skipped: [] };
  const finished = new Set<string>();
  const blocked = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const limit = Math.max(1, options.parallelism ?? 10);

  const run = async (op: Operation) => {
    const { change } = op;
    const started = performance.now();
    const ctx: OperationContext = {
      stack: plan.stack,
      deps: depsOf(op, current),
      progress: (message, bar) => emit({ urn: change.urn, op: op.kind, phase: "progress", message, bar }),
    };
    emit({ urn: change.urn, op: op.kind, phase: "start" });
    try {
      const id = await execute(op, ctx, plan.stack, store, runtime, current);
      result.done++;
      emit({ urn: change.urn, op: op.kind, phase: "done", id, elapsedMs: performance.now() - started });
    } catch (error) {
      result.failed.push({ urn: change.urn, op: op.kind, error });
      blocked.add(op.key);
      emit({ urn: change.urn, op: op.kind, phase: "failed", error, elapsedMs: performance.now() - started });
    }
  };

  while (finished.size < ops.size) {
    const before = finished.size + running.size;
    for (const op of ops.values()) {
      if (finished.has(op.key) || running.has(op.key) || running.size >= limit) continue;
      if ([...op.waitFor].some((k) => blocked.has(k)) || (options.signal?.aborted && !running.has(op.key))) {
        finished.add(op.key);
        blocked.add(op.key);
        result.skipped.push(op.change.urn);
        emit({ urn: op.change.urn, op: op.kind, phase: "skipped" });
        continue;
      }
      if ([...op.waitFor].every((k) => finished.has(k))) {
        running.set(op.key, run(op).finally(() => { running.delete(op.key); finished.add(op.key); }));
      }
    }
    if (running.size === 0) {
      // Skips may have unblocked others: loop again, unless this pass changed nothing (a bug, not a hang).
      if (finished.size === before) throw new Error("applier: operations wait on each other");
      continue;
    }
    await Promise.race(running.values());
  }
  return result;
}

function depsOf(op: Operation, current: Map<Urn, ResourceState>): Map<Urn, ResourceState> {
  const urns = op.kind === "delete" ? op.change.prior?.dependsOn ?? [] : op.change.desired?.dependsOn ?? [];
  const deps = new Map<Urn, ResourceState>();
  for (const urn of urns) {
    const state = current.get(urn);
    if (state) deps.set(urn, state);
  }
  return deps;
}

async function execute(
  op: Operation, ctx: OperationContext, stack: string, store: StateStore, runtime: Runtime, current: Map<Urn, ResourceState>,
): Promise<string> {
  const { change } = op;
  const kindOps = runtime.operations(change.kind);
  const startedAt = new Date().toISOString();
  // A renamed resource's row still sits under its old urn until this change lands.
  const priorRow = change.movedFrom ?? change.urn;
  const save = async (row: ResourceState) => {
    // State keeps the declared protect/retainOnDelete: they decide what happens once the declaration is gone.
    const options = change.desired ? storedOptionsOf(change.desired.options) : row.options;
    const state: ResourceState = { ...row, options };
    if (!options) delete state.options;
    await store.putResource(stack, state);
    if (change.movedFrom) await store.deleteResource(stack, change.movedFrom);
    current.set(change.urn, state);
  };

  if (op.kind === "create") {
    const id = randomBytes(8).toString("hex");
    await store.addPending(stack, { urn: change.urn, op: "create", id, startedAt, props: change.after! });
    const created = await kindOps.create(ctx, { urn: change.urn, name: change.name, id, props: change.after! });
    const replacingLater = change.action === "replace" && !change.deleteBeforeReplace && change.prior;
    // Once the successor's row is saved, the old object is known only to this record until its delete op runs.
    if (replacingLater) await store.addPending(stack, { urn: change.urn, op: "delete", id: change.prior!.id, startedAt });
    await save({
      urn: change.urn, kind: change.kind, name: change.name, id: created.id, inputs: change.after!,
      outputs: created.outputs, dependsOn: change.desired!.dependsOn,
    });
    if (!replacingLater) await store.clearPending(stack, change.urn);
    return created.id;
  }
  const prior = change.prior!;
  if (op.kind === "forget") {
    // retainOnDelete: the object stays as it is, unmanaged; only its row goes (one write, nothing pending).
    await store.deleteResource(stack, change.urn);
    if (current.get(change.urn) === prior) current.delete(change.urn);
    return prior.id;
  }
  if (op.kind === "move" || op.kind === "record") {
    await save({ ...prior, urn: change.urn, name: change.name, inputs: change.after!, dependsOn: change.desired!.dependsOn });
    return prior.id;
  }
  await store.addPending(stack, { urn: priorRow, op: op.kind, id: prior.id, startedAt });
  if (op.kind === "update") {
    const outputs = await kindOps.update(ctx, prior, change.after!);
    await save({ ...prior, urn: change.urn, name: change.name, inputs: change.after!, outputs, dependsOn: change.desired!.dependsOn });
  } else {
    await kindOps.delete(ctx, prior);
    // After create-before-delete the row already holds the successor: only the old object goes.
    const successorSaved = change.action === "replace" && !change.deleteBeforeReplace;
    if (!successorSaved) await store.deleteResource(stack, priorRow);
    if (!successorSaved && current.get(change.urn) === prior) current.delete(change.urn);
  }
  await store.clearPending(stack, priorRow);
  return prior.id;
}
