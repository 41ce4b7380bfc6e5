/** A container's output log, read from the file the native helper gave the process as stdout/stderr. */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

const CHUNK = 64 * 1024;

function tailStart(path: string, lines: number): number {
  const size = statSync(path).size;
  const fd = openSync(path, "r");
  try {
    let pos = size;
    let seen = 0;
    const buf = Buffer.alloc(CHUNK);
    while (pos > 0) {
      const len = Math.min(CHUNK, pos);
      pos -= len;
      readSync(fd, buf, 0, len, pos);
      for (let i = len - 1; i >= 0; i--) {
        if (buf[i] === 10 && pos + i !== size - 1 && ++seen === lines) return pos + i + 1;
      }
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

/** Yield the log's text in chunks of whole lines; with `follow`, poll for more until aborted. */
export async function* readLog(path: string, options: { follow: boolean; tail?: number; signal?: AbortSignal }): AsyncIterable<string> {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return;
  }
  try {
    let pos = options.tail !== undefined ? tailStart(path, options.tail) : 0;
    let carry = "";
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, pos);
      if (n > 0) {
        pos += n;
        const text = carry + buf.toString("utf8", 0, n);
        const cut = text.lastIndexOf("\n") + 1;
        carry = text.slice(cut);
        if (cut > 0) yield text.slice(0, cut);
        continue;
      }
      if (!options.follow || options.signal?.aborted) break;
      await sleep(200, undefined, { signal: options.signal }).catch(() => undefined);
    }
    if (carry) yield carry;
  } finally {
    closeSync(fd);
  }
}
