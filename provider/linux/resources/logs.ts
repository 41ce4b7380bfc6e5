/**
 * A container's log: the CRI files the shim writes (container.log and its rotations container.log.1 …,
 * .1 the newest rotated), read oldest first as structured entries. Following survives rotation: the
 * open file is read to its end, then the new container.log from its start.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { LogEntry, LogOptions } from "../../../core/runtime.js";
import { inWindow, LineAssembler, parseLogLine } from "./log-format.js";

const CHUNK = 256 * 1024;

/** Oldest first: container.log.N-1 … container.log.1, container.log. */
export function logFiles(path: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  const base = basename(path);
  const rotated = names.map((n) => (n.startsWith(`${base}.`) ? /^\d+$/.exec(n.slice(base.length + 1)) : null))
    .filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[0])).sort((a, b) => b - a);
  return [...rotated.map((n) => `${path}.${n}`), ...(names.includes(base) ? [path] : [])];
}

/** Whole lines from `fd` starting at `pos`; an unfinished last line is left for the next read. */
class LineReader {
  private carry = "";
  constructor(readonly fd: number, public pos = 0) {}

  read(): string[] {
    const buf = Buffer.allocUnsafe(CHUNK);
    const lines: string[] = [];
    for (;;) {
      const n = readSync(this.fd, buf, 0, CHUNK, this.pos);
      if (n <= 0) break;
      this.pos += n;
      const text = this.carry + buf.toString("utf8", 0, n);
      const parts = text.split("\n");
      this.carry = parts.pop() ?? "";
      lines.push(...parts);
      if (n < CHUNK) break;
    }
    return lines;
  }
}

function* entriesOf(lines: string[], assembler: LineAssembler): Generator<LogEntry> {
  for (const line of lines) {
    const raw = parseLogLine(line);
    const entry = raw && assembler.push(raw);
    if (entry) yield entry;
  }
}

function openFile(path: string): number | null {
  try {
    return openSync(path, "r");
  } catch {
    return null;
  }
}

/** `isDone`: the writer is gone for good (no shim): following ends once everything is read. */
export async function* readLog(path: string, options: LogOptions, isDone: () => boolean = () => false): AsyncIterable<LogEntry> {
  const { since, until, tail } = options;
  const assembler = new LineAssembler();
  const files = logFiles(path);
  let current: LineReader | null = null;
  const backlog: LogEntry[] = [];
  const keep = (e: LogEntry) => {
    if (!inWindow(e, since, until)) return;
    backlog.push(e);
    if (tail !== undefined && backlog.length > tail) backlog.shift();
  };
  for (const file of files) {
    const fd = openFile(file);
    if (fd === null) continue;
    const reader = new LineReader(fd);
    for (const e of entriesOf(reader.read(), assembler)) keep(e);
    if (file === path) current = reader;
    else closeSync(fd);
  }
  try {
    if (!options.follow) {
      for (const e of assembler.drain()) keep(e);
      yield* backlog;
      return;
    }
    yield* backlog;
    while (!options.signal?.aborted) {
      const done = isDone(); // before reading: what was written before the writer left is still read
      if (!current) {
        const fd = openFile(path);
        if (fd !== null) current = new LineReader(fd);
      }
      let got = false;
      if (current) {
        // A rename (rotation) is seen only after every write to the old file: read it once more, then move on.
        const moved = rotatedAway(path, current);
        for (const e of entriesOf(current.read(), assembler)) {
          got = true;
          if (until !== undefined && Date.parse(e.time) >= until) return;
          if (inWindow(e, since, until)) yield e;
        }
        if (moved) {
          // Files rotated past us while we slept are newer than the one just finished: read them first.
          const finished = fstatSync(current.fd).ino;
          closeSync(current.fd);
          current = null;
          for (const e of entriesOf(missedRotations(path, finished), assembler)) {
            if (until !== undefined && Date.parse(e.time) >= until) return;
            if (inWindow(e, since, until)) yield e;
          }
          continue;
        }
      }
      if (!got && done) break;
      if (!got) await sleep(100, undefined, { signal: options.signal }).catch(() => undefined);
    }
    for (const e of assembler.drain()) if (inWindow(e, since, until)) yield e;
  } finally {
    if (current) closeSync(current.fd);
  }
}

/** Lines of the rotated files newer than the file `finished` (all of them when it was rotated out). */
function missedRotations(path: string, finished: number): string[] {
  const rotated = logFiles(path).filter((f) => f !== path);
  const at = rotated.findIndex((f) => {
    try {
      return statSync(f).ino === finished;
    } catch {
      return false;
    }
  });
  const lines: string[] = [];
  for (const file of rotated.slice(at + 1)) {
    const fd = openFile(file);
    if (fd === null) continue;
    lines.push(...new LineReader(fd).read());
    closeSync(fd);
  }
  return lines;
}

/** Has container.log been rotated away from the open file? A log cut to nothing in place (one file kept)
 *  is read again from its start. */
function rotatedAway(path: string, reader: LineReader): boolean {
  let now;
  try {
    now = statSync(path);
  } catch {
    return false;
  }
  const open = fstatSync(reader.fd);
  if (now.ino !== open.ino) return true;
  if (open.size < reader.pos) reader.pos = 0;
  return false;
}
