/**
 * A zstd layer file decompressed by the `zstd` program into a pipe of our own (sys/pipe.ts): up to
 * 8 MiB of capacity, so zstd runs ahead on the other core while the unpacker is busy with a burst
 * of small files, and 1 MiB reads on the threadpool, a sixteenth of the reads (and stream
 * hand-offs) Node's 64 KiB stdio reads would take. Failure and destruction behave as in
 * zstd-process.ts: a corrupt stream is LAYER_CORRUPT with zstd's own message; destroying kills zstd.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { close, closeSync, read } from "node:fs";
import { Readable } from "node:stream";
import { openPipe } from "../sys/pipe.js";
import { zstdFailure } from "./zstd-process.js";

const PIPE_CAPACITIES = [8 << 20, 1 << 20];
const READ_BYTES = 1 << 20;
const SLAB_BYTES = 4 * READ_BYTES;

export class ZstdFileStream extends Readable {
  private readonly child: ChildProcess;
  private readonly fd: number;
  private readonly failure: ReturnType<typeof zstdFailure>;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private drained = false;
  private fdClosed = false;
  /** Reads fill this slab front to back (a read returns what the pipe holds, often far less than asked). */
  private slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private used = 0;

  constructor(program: string, file: string) {
    super({ highWaterMark: 4 * READ_BYTES });
    const [readEnd, writeEnd] = openPipe(PIPE_CAPACITIES);
    this.fd = readEnd;
    try {
      this.child = spawn(program, ["-d", "-c", "-q", "--", file], { stdio: ["ignore", writeEnd, "pipe"] });
    } finally {
      closeSync(writeEnd); // the child has its copy: EOF comes when zstd exits
    }
    this.failure = zstdFailure(this.child);
    this.child.on("error", (error) => this.destroy(error));
    this.child.on("close", (code, signal) => {
      this.exit = { code, signal };
      this.settle();
    });
  }

  override _read(): void {
    if (this.used > SLAB_BYTES - READ_BYTES) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.used = 0;
    }
    const { slab, used } = this;
    read(this.fd, slab, used, READ_BYTES, null, (error, bytes) => {
      if (this.destroyed) return;
      if (error) return void this.destroy(error);
      this.used += bytes;
      if (bytes > 0) return void this.push(slab.subarray(used, used + bytes));
      this.drained = true;
      this.settle();
    });
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    this.closeFd();
    done(error);
  }

  /** End once both the pipe is drained and zstd has exited: its status says whether the bytes are whole. */
  private settle(): void {
    if (!this.drained || !this.exit || this.destroyed) return;
    this.closeFd();
    const { code, signal } = this.exit;
    if (code === 0) this.push(null);
    else this.destroy(this.failure(code, signal));
  }

  private closeFd(): void {
    if (this.fdClosed) return;
    this.fdClosed = true;
    close(this.fd, () => {});
  }
}
