import { openRuntime, openStore, type GlobalOptions } from "../context.js";
import { EXIT } from "../exit-codes.js";
import { findContainer } from "./ps.js";

/** `{{.State.Pid}}`-style templates: each `{{.A.B}}` is replaced by that path's value. */
export function applyTemplate(template: string, data: unknown): string {
  return template.replace(/\{\{\s*\.([\w.]+)\s*\}\}/g, (_m, path: string) => {
    const value = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], data);
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  });
}

export async function inspectCommand(name: string, flags: GlobalOptions & { format?: string }): Promise<number> {
  const store = await openStore(flags);
  const runtime = openRuntime();
  try {
    const { state } = await findContainer(store, name, flags.stack);
    const details = await runtime.containers.inspect(state);
    process.stdout.write(flags.format ? `${applyTemplate(flags.format, details)}\n` : `${JSON.stringify([details], null, 2)}\n`);
    return EXIT.ok;
  } finally {
    await runtime.close();
    await store.close();
  }
}

export async function topCommand(name: string, flags: GlobalOptions): Promise<number> {
  const store = await openStore(flags);
  const runtime = openRuntime();
  try {
    const { state } = await findContainer(store, name, flags.stack);
    const rows = await runtime.containers.top(state);
    process.stdout.write(["HOST PID  PID  COMMAND", ...rows.map((r) => `${String(r.hostPid).padEnd(8)}  ${String(r.containerPid).padEnd(3)}  ${r.command}`)].join("\n") + "\n");
    return EXIT.ok;
  } finally {
    await runtime.close();
    await store.close();
  }
}
