/**
 * Finishes small regular files on a worker thread, so their write/futimes/close syscalls run on
 * another core while the main thread parses the next entries. The main thread still opens every
 * file itself (O_EXCL, in archive order, after the in-root path checks) and sets owner, mode and
 * xattrs itself when they are needed: only a file that needs nothing but its bytes and times comes
 * here, as an open descriptor (descriptors are process-wide) plus a copy of its bytes. Later
 * entries cannot be affected: a path check never reads a file's contents, and a later entry that
 * replaces the file unlinks a name, not the descriptor. `drain()` waits (Atomics.wait) until every
 * file is closed and throws the first failure; it must run before directory times are set.
 */
import { receiveMessageOnPort, MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { SyscallError } from "../../../core/errors.js";

/** Gathered into one transfer per this many bytes or files. */
const BATCH_BYTES = 512 * 1024;
const BATCH_FILES = 128;
/** Backpressure: descriptors and bytes handed over but not yet closed. */
const MAX_FILES = 1024;
const MAX_BYTES = 64 * 2 ** 20;

const IN_FLIGHT = 0; // files handed over, not closed
const FAILED = 1;
const BYTES = 2; // bytes handed over, not written

const WORKER = `
const { workerData } = require("node:worker_threads");
const { writeSync, futimesSync, closeSync } = require("node:fs");
const state = new Int32Array(workerData.shared);
const errors = workerData.errors;
workerData.port.on("message", ({ files, data }) => {
  const bytes = Buffer.from(data);
  let at = 0;
  for (const file of files) {
    try {
      if (Atomics.load(state, ${FAILED}) === 0) {
        for (let done = 0; done < file.size; ) done += writeSync(file.fd, bytes, at + done, file.size - done);
        futimesSync(file.fd, file.atime, file.mtime);
      }
    } catch (error) {
      if (Atomics.compareExchange(state, ${FAILED}, 0, 1) === 0) {
        errors.postMessage({ syscall: error.syscall, errno: Math.abs(error.errno ?? 0), path: file.path });
      }
    } finally {
      try { closeSync(file.fd); } catch {}
      at += file.size;
      Atomics.sub(state, ${BYTES}, file.size);
      Atomics.sub(state, ${IN_FLIGHT}, 1);
      Atomics.notify(state, ${IN_FLIGHT});
    }
  }
});
`;

interface Pending {
  fd: number;
  size: number;
  atime: number;
  mtime: number;
  path: string;
}

export class WriteBehind {
  private readonly state = new Int32Array(new SharedArrayBuffer(12));
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly errors: MessagePort;
  private files: Pending[] = [];
  private chunks: Buffer[] = [];
  private bytes = 0;
  private failure: SyscallError | null = null;

  constructor() {
    const data = new MessageChannel();
    const errors = new MessageChannel();
    this.port = data.port1;
    this.errors = errors.port1;
    this.worker = new Worker(WORKER, {
      eval: true, trackUnmanagedFds: false, workerData: { shared: this.state.buffer, port: data.port2, errors: errors.port2 }, transferList: [data.port2, errors.port2],
    });
    this.worker.unref();
    this.port.unref();
  }

  /** Hand over `fd` (now owned here): write `chunks`, set the times, close. */
  submit(fd: number, path: string, chunks: Buffer[], size: number, atime: Date, mtime: Date): void {
    this.throwIfFailed();
    this.files.push({ fd, size, atime: atime.getTime() / 1000, mtime: mtime.getTime() / 1000, path });
    for (const chunk of chunks) this.chunks.push(chunk);
    this.bytes += size;
    Atomics.add(this.state, IN_FLIGHT, 1);
    Atomics.add(this.state, BYTES, size);
    if (this.bytes >= BATCH_BYTES || this.files.length >= BATCH_FILES) this.send();
    while (Atomics.load(this.state, IN_FLIGHT) > MAX_FILES || Atomics.load(this.state, BYTES) > MAX_BYTES) this.waitOnce();
  }

  /** Every handed-over file written and closed; the first failure is thrown. */
  drain(): void {
    this.send();
    while (Atomics.load(this.state, IN_FLIGHT) > 0) this.waitOnce();
    this.throwIfFailed();
  }

  /** Drain (closing every descriptor), then stop the worker; throws the first failure. */
  close(): void {
    try {
      this.drain();
    } finally {
      void this.worker.terminate();
      this.port.close();
      this.errors.close();
    }
  }

  private send(): void {
    if (this.files.length === 0) return;
    // One copy into a buffer of its own: the chunks are slices of the parser's input, which is not ours to transfer.
    const data = new Uint8Array(new ArrayBuffer(this.bytes));
    let at = 0;
    for (const chunk of this.chunks) {
      data.set(chunk, at);
      at += chunk.length;
    }
    this.port.postMessage({ files: this.files, data: data.buffer }, [data.buffer]);
    this.files = [];
    this.chunks = [];
    this.bytes = 0;
  }

  private waitOnce(): void {
    const current = Atomics.load(this.state, IN_FLIGHT);
    if (current > 0) Atomics.wait(this.state, IN_FLIGHT, current, 100);
  }

  private throwIfFailed(): void {
    if (!this.failure && Atomics.load(this.state, FAILED) !== 0) {
      // Posted before the failed file was counted done: present once that file is, as in drain().
      const failed = receiveMessageOnPort(this.errors)?.message as { syscall?: string; errno: number; path: string } | undefined;
      if (failed) this.failure = new SyscallError(failed.syscall ?? "write", failed.errno, failed.path);
    }
    if (this.failure) throw this.failure;
  }
}
