/** `cinfra drift [stack.ts]`: program vs state vs host. Exit 0 in sync, 2 drift found, 1 error. */
import { defaultRuntimeConfig } from "../../provider/linux/config.js";
import { openRuntime, openStore, stackName, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { loadStack } from "../loader/load-stack.js";
import { styleFor } from "../render/style.js";
import { driftToJson, renderDriftMarkdown, renderDriftText } from "./drift-render.js";
import { scanDrift, scanInSync } from "./drift-scan.js";

export interface DriftFlags extends GlobalOptions {
  json?: boolean;
  markdown?: boolean;
}

export async function driftCommand(file: string | undefined, flags: DriftFlags): Promise<number> {
  // Without a program or --stack: every stack in the store, and every cinfra object on the host.
  const stack = file !== undefined || flags.stack !== undefined ? stackName(file, flags) : undefined;
  const desired = file !== undefined ? (await loadStack(file)).resources : undefined;
  const store = await openStore(flags);
  const runtime = openRuntime();
  try {
    const scan = await scanDrift({ store, runtime, config: defaultRuntimeConfig(), stack, desired });
    if (flags.json) process.stdout.write(`${JSON.stringify(driftToJson(scan), null, 2)}\n`);
    else if (flags.markdown) process.stdout.write(renderDriftMarkdown(scan));
    else process.stdout.write(renderDriftText(scan, styleFor(process.stdout)));
    return scanInSync(scan) ? EXIT.ok : EXIT.changes;
  } finally {
    await runtime.close();
    await store.close();
  }
}
