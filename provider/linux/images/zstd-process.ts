/**
 * zstd decompression by the `zstd` program (Debian's zstd package): it runs on another core at
 * ~1 GB/s where fzstd, pure JS on the main thread, does ~150 MB/s. A failed or corrupt stream is
 * LAYER_CORRUPT with zstd's own message; destroying the stream (a limit hit, a failed write) kills
 * the process.
 */
import { spawn, type ChildProcess, type ChildProcessByStdio } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { Duplex, type Readable, type Writable } from "node:stream";
import { RuntimeError } from "../../../core/errors.js";

let found: string | null | undefined;

/** Absolute path of `zstd` on PATH, or null; looked up once. CINFRA_ZSTD=js forces fzstd (tests). */
export function zstdProgram(): string | null {
  if (found !== undefined) return found;
  found = null;
  if (process.env.CINFRA_ZSTD === "js") return found;
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":").filter(Boolean)) {
    try {
      accessSync(join(dir, "zstd"), constants.X_OK);
      found = join(dir, "zstd");
      break;
    } catch {
      // not in this directory
    }
  }
  return found;
}

const STDERR_LIMIT = 4096;

/** What a failed zstd run is: LAYER_CORRUPT with the last line zstd wrote to stderr (kept up to 4 KiB). */
export function zstdFailure(child: ChildProcess): (code: number | null, signal: NodeJS.Signals | null) => RuntimeError {
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.toString("utf8");
  });
  return (code, signal) => new RuntimeError("LAYER_CORRUPT", `zstd: ${stderr.trim().split("\n").pop() || `exited ${code ?? signal}`}`);
}

export class ZstdProcessStream extends Duplex {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;

  /** zstd decompresses what is written to this stream (a file is read by zstd-file-stream.ts). */
  constructor(program: string) {
    super({ readableHighWaterMark: 1 << 20 });
    this.child = spawn(program, ["-d", "-c", "-q"], { stdio: ["pipe", "pipe", "pipe"] }) as ChildProcessByStdio<Writable, Readable, Readable>;
    this.child.stdout.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) this.child.stdout.pause();
    });
    const failure = zstdFailure(this.child);
    this.child.stdin.on("error", () => {}); // EPIPE when zstd stops on bad input: its exit status reports it
    this.child.on("error", (error) => this.destroy(error));
    // 'close' comes after the exit and after stdout's last 'data'.
    this.child.on("close", (code, signal) => {
      if (code === 0) this.push(null);
      else if (!this.destroyed) this.destroy(failure(code, signal));
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.child.stdin.write(chunk)) done();
    else this.child.stdin.once("drain", () => done());
  }

  override _final(done: (error?: Error | null) => void): void {
    this.child.stdin.end();
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    done(error);
  }
}
