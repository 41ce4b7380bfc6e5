import { openRuntime, openStore, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { managedContainers } from "./ps.js";
import { formatSize } from "../../core/model/units.js";
import type { ContainerStats, RuntimeWithActions } from "../../core/runtime.js";
import type { ResourceState } from "../../core/model/types.js";

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)}MiB`;

interface Row extends ContainerStats {
  stack: string;
  name: string;
  /** CPU time over wall time since the previous sample, in % of one CPU (docker stats' CPU %); null on the first. */
  cpuPercent: number | null;
}

export interface StatsFlags extends GlobalOptions {
  json?: boolean;
  /** `--no-stream` sets stream to false: one sample, then exit (Docker's flag). */
  stream?: boolean;
  interval?: string;
}

/**
 * `cinfra stats [NAME]`: memory usage/limit/failcnt, CPU (cpuacct-style time and % since the last sample) and pids
 * from each container's cgroup; streams a sample every interval until interrupted, as `docker stats` does.
 * On a terminal the table redraws in place; with --json, one JSON array per sample and line.
 */
export async function statsCommand(name: string | undefined, flags: StatsFlags): Promise<number> {
  const store = await openStore(flags);
  const runtime = openRuntime();
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.on("SIGINT", onSigint);
  try {
    const targets = (await managedContainers(store, flags.stack)).filter(({ state }) => !name || state.name === name);
    const intervalMs = Math.max(100, Number(flags.interval ?? 1) * 1000);
    let previous = new Map<string, { cpuNs: number; at: number }>();
    for (let first = true; ; first = false) {
      const { rows, seen } = await sample(runtime, targets, previous);
      previous = seen;
      if (flags.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else process.stdout.write(`${!first && process.stdout.isTTY ? "\x1b[2J\x1b[H" : ""}${table(rows)}`);
      if (flags.stream === false || stop.signal.aborted) return EXIT.ok;
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        stop.signal.addEventListener("abort", () => { clearTimeout(timer); resolve(undefined); }, { once: true });
      });
      if (stop.signal.aborted) return EXIT.ok;
    }
  } finally {
    process.off("SIGINT", onSigint);
    await runtime.close();
    await store.close();
  }
}

async function sample(runtime: RuntimeWithActions, targets: { stack: string; state: ResourceState }[], previous: Map<string, { cpuNs: number; at: number }>) {
  const rows: Row[] = [];
  const seen = new Map<string, { cpuNs: number; at: number }>();
  for (const { stack, state } of targets) {
    const stats = await runtime.containers.stats(state);
    const at = performance.now();
    const before = previous.get(state.id);
    const cpuPercent = before && at > before.at ? ((stats.cpuUsageNs - before.cpuNs) / 1e6 / (at - before.at)) * 100 : null;
    seen.set(state.id, { cpuNs: stats.cpuUsageNs, at });
    rows.push({ stack, name: state.name, ...stats, cpuPercent: cpuPercent === null ? null : Math.max(0, Math.round(cpuPercent * 100) / 100) });
  }
  return { rows, seen };
}

function table(rows: Row[]): string {
  const header = ["STACK", "NAME", "CPU %", "MEM USAGE / LIMIT", "FAILCNT", "OOM KILLS", "CPU (s)", "PIDS"];
  const cells = rows.map((r) => [
    r.stack, r.name, r.cpuPercent === null ? "--" : `${r.cpuPercent.toFixed(2)}%`,
    `${mib(r.memoryUsage)} / ${r.memoryLimit === null ? "unlimited" : formatSize(r.memoryLimit)}`,
    String(r.memoryFailcnt), String(r.oomKills), (r.cpuUsageNs / 1e9).toFixed(2), String(r.pidsCurrent),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  return [header, ...cells].map((l) => l.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}
