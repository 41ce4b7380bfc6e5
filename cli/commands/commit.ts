import { openRuntime, openStore, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { findContainer } from "./ps.js";

/** `cinfra commit web app:v2`: the container's changes as a new image that other stacks use by `ref`. */
export async function commitCommand(name: string, image: string, flags: GlobalOptions): Promise<number> {
  const store = await openStore(flags);
  const runtime = openRuntime();
  try {
    const { state } = await findContainer(store, name, flags.stack);
    const committed = await runtime.containers.commit(state, image);
    process.stdout.write(`committed ${state.urn} as ${committed.name} (${committed.id})\n`);
    return EXIT.ok;
  } finally {
    await runtime.close();
    await store.close();
  }
}
