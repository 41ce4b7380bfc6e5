/** The first frame of a (source-mapped) stack trace that lies in the stack program itself. */
export function callerLocationFromError(error: unknown, programFile: string): string | undefined {
  const stack = error instanceof Error ? error.stack ?? "" : "";
  for (const line of stack.split("\n")) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    const path = m[1].replace(/^file:\/\//, "");
    if (path === programFile) return `${path}:${m[2]}:${m[3]}`;
  }
  return undefined;
}
