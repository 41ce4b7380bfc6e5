import { openRuntime, openStore, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { managedContainers } from "./ps.js";
import { formatSize } from "../../core/model/units.js";

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)}MiB`;

/** `cinfra stats [NAME]`: memory usage/limit/failcnt, CPU time and pids from each container's cgroup. */
export async function statsCommand(name: string | undefined, flags: GlobalOptions & { json?: boolean }): Promise<number> {
  const store = await openStore(flags);
  const runtime = openRuntime();
  try {
    const rows = [];
    for (const { stack, state } of await managedContainers(store, flags.stack)) {
      if (name && state.name !== name) continue;
      rows.push({ stack, name: state.name, ...(await runtime.containers.stats(state)) });
    }
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return EXIT.ok;
    }
    const header = ["STACK", "NAME", "MEM USAGE / LIMIT", "FAILCNT", "OOM KILLS", "CPU (s)", "PIDS"];
    const cells = rows.map((r) => [
      r.stack, r.name, `${mib(r.memoryUsage)} / ${r.memoryLimit === null ? "unlimited" : formatSize(r.memoryLimit)}`,
      String(r.memoryFailcnt), String(r.oomKills), (r.cpuUsageNs / 1e9).toFixed(2), String(r.pidsCurrent),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    process.stdout.write([header, ...cells].map((l) => l.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n");
    return EXIT.ok;
  } finally {
    await runtime.close();
    await store.close();
  }
}
