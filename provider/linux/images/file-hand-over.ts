/**
 * Which files of a layer the write-behind worker (write-behind.ts) creates, and the ordering that
 * keeps that invisible. The worker creates a file by path some time after its entry was parsed, so:
 * - only a name known to be free is handed over: the layer directory started empty and this writer
 *   has not made that path (`made` holds every path it made, and maybe some since removed);
 * - an entry that looks at or makes a handed-over path, directly or while resolving its parents,
 *   drains the worker first (`settle`), as does removing a directory (files inside may be on their way).
 */
import { closeSync, constants, futimesSync, openSync } from "node:fs";
import type { EntryMeta, FileSink } from "./layer-writer.js";
import { WriteBehind } from "./write-behind.js";

/** Files created on the main thread before a write-behind worker is worth its start-up (~30 ms). */
const WRITE_BEHIND_AFTER = 256;
const CREATE_EXCL = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export class FileHandOver {
  private worker: WriteBehind | null = null;
  private plainFiles = 0;
  private readonly made = new Set<string>();
  /** Files handed over and maybe not created yet. */
  private readonly pending = new Set<string>();

  /**
   * `startedEmpty`: nothing was in the layer directory before this writer. `dataSource`: the file
   * holding the archive's bytes, when file bytes may be copied from it by offset.
   */
  constructor(
    private readonly startedEmpty: boolean,
    private readonly dataSource: string | undefined,
    private readonly writeAll: (fd: number, chunks: Buffer[], bytes: number) => void,
  ) {}

  /** Call before looking at `path`: a file handed over there is created first. */
  readonly settle = (path: string): void => {
    if (this.pending.size > 0 && this.pending.has(path)) this.drain();
  };

  /** Count `path` as made by this writer; true if it was not before. */
  claim(path: string): boolean {
    const fresh = !this.made.has(path);
    if (fresh) this.made.add(path);
    return fresh;
  }

  /** Whether a plain file (bytes, mode and times only) at a freshly claimed path goes to the worker. */
  takes(fresh: boolean): boolean {
    return fresh && this.startedEmpty && (this.worker !== null || ++this.plainFiles > WRITE_BEHIND_AFTER);
  }

  /** A removal is coming: whatever is handed over is created first. */
  beforeRemoval(): void {
    if (this.pending.size > 0) this.drain();
  }

  /** The sink of a file the worker creates at `path` (free, parents resolved) once its bytes are in; or, when it lags, this thread does. */
  sink(path: string, mode: number, meta: EntryMeta): FileSink {
    const chunks: Buffer[] = [];
    let bytes = 0;
    // the bytes' offset in the data source while they are known and contiguous there, else -1
    let sourceOffset = this.dataSource ? -2 : -1;
    return {
      write: (chunk, offset) => {
        if (sourceOffset === -2) sourceOffset = offset ?? -1;
        else if (sourceOffset >= 0 && offset !== sourceOffset + bytes) sourceOffset = -1;
        chunks.push(chunk);
        bytes += chunk.length;
      },
      end: () => {
        const worker = (this.worker ??= new WriteBehind(this.dataSource));
        const { atime, mtime } = meta;
        const submitted =
          sourceOffset >= 0 ? worker.submitFromSource(path, mode, sourceOffset, bytes, atime, mtime) : worker.submit(path, mode, chunks, bytes, atime, mtime);
        if (submitted) {
          this.pending.add(path);
          return;
        }
        const fd = openSync(path, CREATE_EXCL, mode);
        try {
          if (bytes > 0) this.writeAll(fd, chunks, bytes);
          futimesSync(fd, atime, mtime);
        } finally {
          closeSync(fd);
        }
      },
    };
  }

  /** The caller waits for input next: let the worker run with what it has. */
  idle(): void {
    this.worker?.kick();
  }

  /** Every handed-over file created; the first failure is thrown. */
  drain(): void {
    this.worker?.drain();
    this.pending.clear();
  }

  /** Drain and stop the worker (before directory times are set); throws the first failure. */
  close(): void {
    const worker = this.worker;
    this.worker = null;
    this.pending.clear();
    worker?.close();
  }
}
