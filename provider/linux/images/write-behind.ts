/**
 * Finishes small regular files on a worker thread, so their write/futimes/close syscalls run on
 * another core while the main thread parses the next entries. The main thread still opens every
 * file itself (O_EXCL, in archive order, after the in-root path checks) and sets owner, mode and
 * xattrs itself when they are needed: only a file that needs nothing but its bytes and times comes
 * here, as an open descriptor (descriptors are process-wide) plus a copy of its bytes. Later
 * entries cannot be affected: a path check never reads a file's contents, and a later entry that
 * replaces the file unlinks a name, not the descriptor. `drain()` waits until every file is closed
 * and throws the first failure; it must run before directory times are set.
 *
 * Hand-over is through shared memory, not postMessage (whose cloning cost more than the syscalls
 * it saved): a ring of file slots (fd, offset, size, times) and a ring of bytes; the main thread
 * publishes with Atomics.store(HEAD), the worker answers with TAIL, each waits on the other's word.
 */
import { Worker } from "node:worker_threads";
import { SyscallError } from "../../../core/errors.js";

const SLOTS = 1024;
const RING_BYTES = 32 * 2 ** 20;
/** Files queued before the caller writes the next one itself: whichever thread is free works. */
const MAX_QUEUED = 64;
/** Largest file handed over; anything bigger is written by the caller. */
export const WRITE_BEHIND_MAX_FILE = 1 << 20;

// control words
const HEAD = 0; // files published by the main thread
const TAIL = 1; // files closed by the worker
const STOP = 2;
const FAILED_SLOT = 3; // -1, or the slot (mod SLOTS) of the first failure
const FAILED_ERRNO = 4;
const FAILED_CALL = 5; // 0 write, 1 futimes

const WORKER = `
const { workerData } = require("node:worker_threads");
const { writeSync, futimesSync, closeSync } = require("node:fs");
const { control, ints, times, ring } = workerData;
const ctl = new Int32Array(control), meta = new Int32Array(ints), when = new Float64Array(times);
(function run() {
let tail = 0;
for (;;) {
  let head = Atomics.load(ctl, ${HEAD});
  while (head === tail) {
    if (Atomics.load(ctl, ${STOP}) === 1) return;
    Atomics.wait(ctl, ${HEAD}, head, 1000);
    head = Atomics.load(ctl, ${HEAD});
  }
  for (; tail < head; tail++) {
    const slot = tail % ${SLOTS};
    const fd = meta[slot * 3], offset = meta[slot * 3 + 1], size = meta[slot * 3 + 2];
    let call = 0;
    try {
      if (Atomics.load(ctl, ${FAILED_SLOT}) === -1) {
        const bytes = Buffer.from(ring, offset, size);
        for (let done = 0; done < size; ) done += writeSync(fd, bytes, done, size - done);
        call = 1;
        futimesSync(fd, when[slot * 2], when[slot * 2 + 1]);
      }
    } catch (error) {
      if (Atomics.compareExchange(ctl, ${FAILED_SLOT}, -1, slot) === -1) {
        Atomics.store(ctl, ${FAILED_ERRNO}, Math.abs(error.errno ?? 0));
        Atomics.store(ctl, ${FAILED_CALL}, call);
      }
    }
    try { closeSync(fd); } catch {}
    Atomics.store(ctl, ${TAIL}, tail + 1);
    Atomics.notify(ctl, ${TAIL});
  }
}
})();
`;

export class WriteBehind {
  private readonly control = new Int32Array(new SharedArrayBuffer(6 * 4));
  private readonly meta = new Int32Array(new SharedArrayBuffer(SLOTS * 3 * 4));
  private readonly times = new Float64Array(new SharedArrayBuffer(SLOTS * 2 * 8));
  private readonly ring = new SharedArrayBuffer(RING_BYTES);
  private readonly view = Buffer.from(this.ring);
  private readonly worker: Worker;
  /** Paths by slot, for the error message. */
  private readonly paths: string[] = new Array(SLOTS);
  /** Ring positions (monotonic; physical = mod RING_BYTES) where each slot's bytes end. */
  private readonly ends = new Float64Array(SLOTS);
  private head = 0;
  private position = 0;
  private closed = false;

  constructor() {
    Atomics.store(this.control, FAILED_SLOT, -1);
    this.worker = new Worker(WORKER, {
      eval: true, trackUnmanagedFds: false,
      workerData: { control: this.control.buffer, ints: this.meta.buffer, times: this.times.buffer, ring: this.ring },
    });
    this.worker.unref();
  }

  /**
   * Hand over `fd`: write `chunks` (`size` bytes, at most WRITE_BEHIND_MAX_FILE), set the times,
   * close. False when the worker is behind (the caller finishes the file itself, rather than wait).
   */
  submit(fd: number, path: string, chunks: Buffer[], size: number, atime: Date, mtime: Date): boolean {
    this.throwIfFailed();
    let start = this.position;
    if ((start % RING_BYTES) + size > RING_BYTES) start += RING_BYTES - (start % RING_BYTES); // no wrap inside a file
    const tail = Atomics.load(this.control, TAIL);
    const oldest = tail === this.head ? start : this.ends[tail % SLOTS] - this.sizeOf(tail);
    if (this.head - tail >= MAX_QUEUED || start + size - Math.min(oldest, start) > RING_BYTES) return false;
    // Buffer#copy, not TypedArray#set, which copies into shared memory byte by byte (3x slower here).
    let at = start % RING_BYTES;
    for (const chunk of chunks) at += chunk.copy(this.view, at);
    const slot = this.head % SLOTS;
    this.meta[slot * 3] = fd;
    this.meta[slot * 3 + 1] = start % RING_BYTES;
    this.meta[slot * 3 + 2] = size;
    this.times[slot * 2] = atime.getTime() / 1000;
    this.times[slot * 2 + 1] = mtime.getTime() / 1000;
    this.paths[slot] = path;
    this.position = start + size;
    this.ends[slot] = this.position;
    this.head++;
    Atomics.store(this.control, HEAD, this.head);
    Atomics.notify(this.control, HEAD);
    return true;
  }

  /** Every handed-over file written and closed; the first failure is thrown. */
  drain(): void {
    for (let tail = Atomics.load(this.control, TAIL); tail < this.head; tail = Atomics.load(this.control, TAIL)) {
      Atomics.wait(this.control, TAIL, tail, 100);
    }
    this.throwIfFailed();
  }

  /** Drain (closing every descriptor), then stop the worker; throws the first failure. */
  close(): void {
    if (this.closed) return;
    try {
      this.drain();
    } finally {
      this.closed = true;
      Atomics.store(this.control, STOP, 1);
      Atomics.notify(this.control, HEAD);
      void this.worker.terminate();
    }
  }

  private sizeOf(index: number): number {
    return this.meta[(index % SLOTS) * 3 + 2];
  }

  private throwIfFailed(): void {
    const slot = Atomics.load(this.control, FAILED_SLOT);
    if (slot === -1) return;
    const call = Atomics.load(this.control, FAILED_CALL) === 1 ? "futimes" : "write";
    throw new SyscallError(call, Atomics.load(this.control, FAILED_ERRNO), this.paths[slot]);
  }
}
