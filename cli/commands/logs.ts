import { openRuntime, openStore, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { findContainer } from "./ps.js";

export async function logsCommand(name: string, flags: GlobalOptions & { follow?: boolean; tail?: number }): Promise<number> {
  const store = await openStore(flags);
  const runtime = openRuntime();
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.on("SIGINT", onSigint);
  try {
    const { state } = await findContainer(store, name, flags.stack);
    for await (const line of runtime.containers.logs(state, { follow: Boolean(flags.follow), tail: flags.tail, signal: stop.signal })) {
      process.stdout.write(line.endsWith("\n") ? line : `${line}\n`);
    }
    return EXIT.ok;
  } finally {
    process.off("SIGINT", onSigint);
    await runtime.close();
    await store.close();
  }
}
