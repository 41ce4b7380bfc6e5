import type { LogEntry } from "../../core/runtime.js";
import { openRuntime, openStore, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { findContainer } from "./ps.js";

export interface LogsFlags extends GlobalOptions {
  follow?: boolean;
  tail?: number;
  since?: number;
  until?: number;
  timestamps?: boolean;
}

/** Docker's layout: the text as written (stderr lines to stderr), `-t` puts the time before each line. */
export function formatEntry(entry: LogEntry, timestamps: boolean): string {
  return `${timestamps ? `${entry.time} ` : ""}${entry.text}${entry.partial ? "" : "\n"}`;
}

export async function logsCommand(name: string, flags: LogsFlags): Promise<number> {
  const store = await openStore(flags);
  const runtime = openRuntime();
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.on("SIGINT", onSigint);
  try {
    const { state } = await findContainer(store, name, flags.stack);
    const entries = runtime.containers.logs(state, {
      follow: Boolean(flags.follow), tail: flags.tail, since: flags.since, until: flags.until, signal: stop.signal,
    });
    for await (const entry of entries) {
      (entry.stream === "stderr" ? process.stderr : process.stdout).write(formatEntry(entry, Boolean(flags.timestamps)));
    }
    return EXIT.ok;
  } finally {
    process.off("SIGINT", onSigint);
    await runtime.close();
    await store.close();
  }
}
