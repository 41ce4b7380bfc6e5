import type { ResourceState } from "../../core/model/types.js";
import type { StateStore } from "../../core/state-store.js";
import { openRuntime, openStore, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { CinfraError } from "../../core/errors.js";

export interface ContainerRow {
  stack: string;
  name: string;
  id: string;
  state: string;
  pid: number | null;
  ip: string | null;
  ipAddresses: Record<string, string>;
  startedAt: string | null;
  exitCode: number | null;
  restarts: number;
  /** starting | healthy | unhealthy while a container with a health check runs. */
  health: string | null;
}

export async function managedContainers(store: StateStore, only?: string): Promise<{ stack: string; state: ResourceState }[]> {
  const stacks = only ? [only] : await store.stacks();
  const out: { stack: string; state: ResourceState }[] = [];
  for (const stack of stacks) {
    for (const state of (await store.load(stack)).resources) if (state.kind === "container") out.push({ stack, state });
  }
  return out;
}

/** The one managed container called `name` (across stacks unless --stack narrows it). */
export async function findContainer(store: StateStore, name: string, stack?: string): Promise<{ stack: string; state: ResourceState }> {
  const matches = (await managedContainers(store, stack)).filter((c) => c.state.name === name);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new CinfraError("NO_SUCH_CONTAINER", `no managed container named "${name}"${stack ? ` in stack ${stack}` : ""}`);
  throw new CinfraError("AMBIGUOUS_NAME", `"${name}" exists in stacks ${matches.map((m) => m.stack).join(", ")}: pass --stack`);
}

export async function psCommand(flags: GlobalOptions & { json?: boolean }): Promise<number> {
  const store = await openStore(flags);
  const runtime = openRuntime();
  try {
    const rows: ContainerRow[] = [];
    for (const { stack, state } of await managedContainers(store, flags.stack)) {
      const live = await runtime.operations("container").read({ stack, deps: new Map(), progress: () => {} }, state);
      const outputs = live?.outputs ?? {};
      const ips = (outputs.ipAddresses ?? state.outputs.ipAddresses ?? {}) as Record<string, string>;
      rows.push({
        stack, name: state.name, id: state.id, state: live?.status ?? "missing",
        pid: typeof outputs.pid === "number" ? outputs.pid : null, ip: Object.values(ips)[0] ?? null, ipAddresses: ips,
        startedAt: typeof outputs.startedAt === "string" ? outputs.startedAt : null,
        exitCode: typeof outputs.exitCode === "number" ? outputs.exitCode : null,
        restarts: typeof outputs.restarts === "number" ? outputs.restarts : 0,
        health: typeof outputs.health === "string" ? outputs.health : null,
      });
    }
    process.stdout.write(flags.json ? `${JSON.stringify(rows, null, 2)}\n` : table(rows));
    return EXIT.ok;
  } finally {
    await runtime.close();
    await store.close();
  }
}

function uptime(row: ContainerRow): string {
  if (row.state !== "running" || !row.startedAt) return row.exitCode !== null ? `exited (${row.exitCode})` : "-";
  const secs = Math.max(0, Math.round((Date.now() - Date.parse(row.startedAt)) / 1000));
  return secs < 120 ? `Up ${secs}s` : secs < 7200 ? `Up ${Math.round(secs / 60)}m` : `Up ${Math.round(secs / 3600)}h`;
}

function table(rows: ContainerRow[]): string {
  const header = ["STACK", "NAME", "ID", "STATE", "PID", "IP", "RESTARTS", "STATUS"];
  const cells = rows.map((r) => [r.stack, r.name, r.id.slice(0, 12), r.health ? `${r.state} (${r.health})` : r.state, String(r.pid ?? "-"), r.ip ?? "-", String(r.restarts), uptime(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  return [header, ...cells].map((line) => line.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}
