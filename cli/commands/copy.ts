import { CinfraError } from "../../core/errors.js";
import { openRuntime, openStore, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { findContainer } from "./ps.js";

/** `cinfra cp web:/etc/hosts ./hosts` or `cinfra cp ./conf web:/etc/app/` (exactly one side names a container). */
export async function copyCommand(src: string, dst: string, flags: GlobalOptions): Promise<number> {
  const side = (arg: string) => /^[a-z0-9][a-z0-9-_]*:\//.exec(arg) ? { name: arg.slice(0, arg.indexOf(":")), path: arg.slice(arg.indexOf(":") + 1) } : null;
  const from = side(src);
  const to = side(dst);
  if (!from === !to) throw new CinfraError("CP_USAGE", "cinfra cp: exactly one of SRC and DST must be CONTAINER:/path");
  const store = await openStore(flags);
  const runtime = openRuntime();
  try {
    const { state } = await findContainer(store, (from ?? to)!.name, flags.stack);
    if (from) await runtime.containers.copy(state, "from", from.path, dst);
    else await runtime.containers.copy(state, "to", to!.path, src);
    return EXIT.ok;
  } finally {
    await runtime.close();
    await store.close();
  }
}

/** `cinfra export NAME > rootfs.tar`: the container's merged filesystem. */
export async function exportCommand(name: string, flags: GlobalOptions): Promise<number> {
  if (process.stdout.isTTY) throw new CinfraError("EXPORT_TTY", "cinfra export writes a tar stream: redirect it, e.g. cinfra export web > web.tar");
  const store = await openStore(flags);
  const runtime = openRuntime();
  try {
    const { state } = await findContainer(store, name, flags.stack);
    await runtime.containers.exportFilesystem(state, process.stdout);
    return EXIT.ok;
  } finally {
    await runtime.close();
    await store.close();
  }
}
