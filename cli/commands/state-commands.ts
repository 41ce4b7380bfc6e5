/**
 * `cinfra state list | show | rm | mv | export | import`: look at and repair what state remembers,
 * without touching the objects themselves. Changes take the stack's lock, like an apply.
 */
import { readFileSync } from "node:fs";
import { CinfraError, StateError } from "../../core/errors.js";
import { urnOf, type ResourceState, type Urn } from "../../core/model/types.js";
import type { StateStore } from "../../core/state-store.js";
import type { FullStateStore } from "../../state/store-extras.js";
import { openStore, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { parseExport } from "./state-transfer.js";
import { formatRow, rowsTable, shownRow } from "./state-render.js";

export interface StateFlags extends GlobalOptions {
  json?: boolean;
  force?: boolean;
  lockTimeout?: number;
}

/** `--stack`, or the only stack there is. */
export async function resolveStack(store: StateStore, flags: GlobalOptions): Promise<string> {
  if (flags.stack) return flags.stack;
  const stacks = await store.stacks();
  if (stacks.length === 1) return stacks[0];
  if (stacks.length === 0) throw new StateError("STATE_EMPTY", "state holds no stacks yet");
  throw new CinfraError("NEEDS_STACK", `state holds several stacks (${stacks.join(", ")}): pass --stack`);
}

/** The one resource `name` (`web` or `container.web`) names, in --stack or across stacks. */
async function findResource(store: StateStore, name: string, flags: GlobalOptions): Promise<{ stack: string; row: ResourceState }> {
  const stacks = flags.stack ? [flags.stack] : await store.stacks();
  const found: { stack: string; row: ResourceState }[] = [];
  for (const stack of stacks) {
    const rows = (await store.load(stack)).resources;
    const matches = rows.filter((r) => r.urn === name || r.name === name);
    found.push(...matches.map((row) => ({ stack, row })));
  }
  if (found.length === 1) return found[0];
  if (found.length === 0) throw new StateError("STATE_NO_RESOURCE", `no resource named "${name}" in ${flags.stack ? `stack "${flags.stack}"` : "state"}`);
  const where = found.map((f) => `${f.stack}: ${f.row.urn}`).join(", ");
  throw new CinfraError("AMBIGUOUS_NAME", `"${name}" matches ${where}: pass --stack and/or the kind (e.g. ${found[0].row.urn})`);
}

/** Both state backends offer rename, export and import in one write (state/store-extras.ts). */
function full(store: StateStore): FullStateStore {
  const s = store as Partial<FullStateStore>;
  if (typeof s.renameResource !== "function" || typeof s.exportStack !== "function" || typeof s.importStack !== "function") {
    throw new StateError("STATE_UNSUPPORTED", "this state backend cannot rename, export or import stacks");
  }
  return store as FullStateStore;
}

async function withStore<T>(flags: GlobalOptions, run: (store: FullStateStore) => Promise<T>): Promise<T> {
  const store = await openStore(flags);
  try {
    return await run(full(store));
  } finally {
    await store.close();
  }
}

async function underLock<T>(store: StateStore, stack: string, operation: string, flags: StateFlags, run: () => Promise<T>): Promise<T> {
  const lock = await store.lock(stack, operation, { timeoutMs: flags.lockTimeout });
  try {
    return await run();
  } finally {
    await lock.release();
  }
}

export function stateListCommand(flags: StateFlags): Promise<number> {
  return withStore(flags, async (store) => {
    const stacks = flags.stack ? [flags.stack] : await store.stacks();
    const rows: { stack: string; row: ResourceState }[] = [];
    for (const stack of stacks) for (const row of (await store.load(stack)).resources) rows.push({ stack, row });
    if (flags.json) process.stdout.write(`${JSON.stringify(rows.map(({ stack, row }) => ({ stack, urn: row.urn, id: row.id })), null, 2)}\n`);
    else process.stdout.write(rowsTable(rows));
    return EXIT.ok;
  });
}

export function stateShowCommand(name: string, flags: StateFlags): Promise<number> {
  return withStore(flags, async (store) => {
    const { stack, row } = await findResource(store, name, flags);
    process.stdout.write(flags.json ? `${JSON.stringify({ stack, ...shownRow(row) }, null, 2)}\n` : formatRow(stack, row));
    return EXIT.ok;
  });
}

export function stateRmCommand(name: string, flags: StateFlags): Promise<number> {
  return withStore(flags, async (store) => {
    const { stack, row } = await findResource(store, name, flags);
    return underLock(store, stack, "state rm", flags, async () => {
      const dependents = (await store.load(stack)).resources.filter((r) => r.dependsOn.includes(row.urn)).map((r) => r.urn);
      if (dependents.length && !flags.force) {
        throw new CinfraError("STATE_HAS_DEPENDENTS", `${row.urn} is used by ${dependents.join(", ")}: remove those first, or pass --force`);
      }
      await store.deleteResource(stack, row.urn);
      process.stdout.write(`Removed ${row.urn} (id ${row.id}) from stack "${stack}". The object itself was left as it is` +
        `${row.kind === "container" ? `: adopt it again with \`cinfra import container ${row.name} --id ${row.id}\`` : ""}.\n`);
      return EXIT.ok;
    });
  });
}

export function stateMvCommand(from: string, to: string, flags: StateFlags): Promise<number> {
  return withStore(flags, async (store) => {
    const { stack, row } = await findResource(store, from, flags);
    const target = (to.includes(".") ? to : urnOf(row.kind, to)) as Urn;
    // The store checks the rest in the same write: same kind, name free, no interrupted operation.
    return underLock(store, stack, "state mv", flags, async () => {
      await store.renameResource(stack, row.urn, target);
      process.stdout.write(`Moved ${row.urn} to ${target} in stack "${stack}".\n`);
      return EXIT.ok;
    });
  });
}

export function stateExportCommand(flags: StateFlags): Promise<number> {
  return withStore(flags, async (store) => {
    const stack = await resolveStack(store, flags);
    process.stdout.write(`${JSON.stringify(await store.exportStack(stack), null, 2)}\n`);
    return EXIT.ok;
  });
}

export function stateImportCommand(file: string | undefined, flags: StateFlags): Promise<number> {
  const text = readFileSync(file ?? 0, "utf8");
  const data = parseExport(text);
  return withStore(flags, async (store) => {
    const stack = flags.stack ?? data.stack;
    return underLock(store, stack, "state import", flags, async () => {
      const current = await store.load(stack);
      if (current.resources.length && !flags.force && (current.lineage !== data.lineage || current.serial > data.serial)) {
        throw new StateError("STATE_DIVERGED", `stack "${stack}" already holds ${current.resources.length} resource(s) from ` +
          `${current.lineage === data.lineage ? `a newer serial (${current.serial} > ${data.serial})` : "another lineage"}: pass --force to replace them`);
      }
      await store.importStack(data, { stack });
      process.stdout.write(`Imported ${data.resources.length} resource(s) into stack "${stack}".\n`);
      return EXIT.ok;
    });
  });
}
