import { openRuntime, openStore, type GlobalOptions } from "../context.js";
import { findContainer } from "./ps.js";

/** `cinfra exec NAME -- CMD…`: the command's exit code becomes cinfra's. */
export async function execCommand(name: string, args: string[], flags: GlobalOptions & { interactive?: boolean; tty?: boolean }): Promise<number> {
  const store = await openStore(flags);
  const runtime = openRuntime();
  try {
    const { state } = await findContainer(store, name, flags.stack);
    return (await runtime.containers.exec(state, args, { stdio: "inherit", interactive: flags.interactive, tty: flags.tty })).code;
  } finally {
    await runtime.close();
    await store.close();
  }
}
