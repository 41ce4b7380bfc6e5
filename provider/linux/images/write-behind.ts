/**
 * Creates small regular files on a worker thread, so their open/write/futimes/close syscalls run
 * on another core while the main thread parses the next entries. Only a file that needs nothing
 * but its bytes, mode and times comes here, by path: the main thread has resolved that path in-root
 * and knows the name is free (file-hand-over.ts keeps the order), and the worker still opens with
 * O_EXCL|O_NOFOLLOW, so a mistake fails loudly instead of writing through anything. `drain()` waits
 * until every file is closed and throws the first failure.
 *
 * The bytes come either copied into a shared ring, or, for an uncompressed layer, as an offset in
 * the blob file, which the worker sendfile()s from (nothing copied through JavaScript at all).
 * Hand-over is through shared memory, not postMessage (whose cloning cost more than the syscalls
 * it saved): a ring of file slots and a ring of bytes; the main thread publishes with
 * Atomics.store(HEAD), the worker answers with TAIL. Either side sleeps only after saying so, and
 * a sleeping worker is woken per batch, so wake-ups (futex calls, context switches) stay rare.
 */
import { closeSync, constants, openSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { SyscallError } from "../../../core/errors.js";
import { sendfileWorkerSource } from "../sys/worker-sendfile.js";
import { waitForProgress } from "./atomics-wait.js";

const SLOTS = 1024;
const RING_BYTES = 16 * 2 ** 20;
/**
 * Files queued before the caller creates the next one itself. Deep: while zstd holds a core, the
 * (niced) worker falls behind, and catches up once zstd is done, better than the parsing thread
 * doing the files in between (zstd layer: ~7% faster than with 128).
 */
const MAX_QUEUED = 1000;
/**
 * A sleeping worker is woken once this many files wait, or by kick(): each wake-up is a futex call
 * and, on a busy machine, a context switch, which cost more than a file when paid for every one.
 */
const WAKE_BATCH = 32;
/** Largest file handed over; anything bigger is written by the caller. */
export const WRITE_BEHIND_MAX_FILE = 1 << 20;
/**
 * The worker runs at the lowest priority. It only soaks up CPU the parsing thread (the critical
 * path, which takes a file over itself when the worker lags) and the zstd program leave: with all
 * three at one priority on 2 cores, a zstd layer unpacked ~10% slower (bench/images.mjs).
 */
const WORKER_NICE = 19;
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW; // libuv adds O_CLOEXEC
const CALLS = ["open", "write", "futimes", "sendfile"] as const;
const INTS = 5; // per slot: path offset, path bytes, size, mode, 1 when the bytes are in the source file (else after the path)
const DOUBLES = 3; // per slot: atime, mtime (seconds), the bytes' offset in the source file

// control words
const HEAD = 0; // files published by the main thread
const TAIL = 1; // files closed by the worker
const STOP = 2;
const FAILED_SLOT = 3; // -1, or the slot (mod SLOTS) of the first failure
const FAILED_ERRNO = 4;
const FAILED_CALL = 5; // index in CALLS
const WORKER_SLEEPS = 6; // the worker waits on HEAD
const CALLER_WAITS = 7; // the main thread waits on TAIL

const worker = () => `
const { workerData } = require("node:worker_threads");
const { openSync, writeSync, futimesSync, closeSync } = require("node:fs");
const { control, ints, doubles, ring, sourceFd } = workerData;
const ctl = new Int32Array(control), meta = new Int32Array(ints), when = new Float64Array(doubles);
try { require("node:os").setPriority(0, ${WORKER_NICE}); } catch {} // on Linux, this thread only
${sendfileWorkerSource()}
(function run() {
let tail = 0;
for (;;) {
  let head = Atomics.load(ctl, ${HEAD});
  while (head === tail) {
    if (Atomics.load(ctl, ${STOP}) === 1) return;
    Atomics.store(ctl, ${WORKER_SLEEPS}, 1);
    if (Atomics.load(ctl, ${HEAD}) === tail) Atomics.wait(ctl, ${HEAD}, tail, 1000);
    Atomics.store(ctl, ${WORKER_SLEEPS}, 0);
    head = Atomics.load(ctl, ${HEAD});
  }
  for (; tail < head; tail++) {
    const slot = tail % ${SLOTS};
    const at = meta[slot * ${INTS}], pathBytes = meta[slot * ${INTS} + 1], size = meta[slot * ${INTS} + 2], mode = meta[slot * ${INTS} + 3];
    let call = 0, fd = -1;
    try {
      if (Atomics.load(ctl, ${FAILED_SLOT}) === -1) {
        fd = openSync(Buffer.from(ring, at, pathBytes), ${CREATE}, mode);
        if (meta[slot * ${INTS} + 4] === 1) {
          call = 3;
          sendfileAll(fd, sourceFd, when[slot * ${DOUBLES} + 2], size);
        } else {
          call = 1;
          const bytes = Buffer.from(ring, at + pathBytes, size);
          for (let done = 0; done < size; ) done += writeSync(fd, bytes, done, size - done);
        }
        call = 2;
        futimesSync(fd, when[slot * ${DOUBLES}], when[slot * ${DOUBLES} + 1]);
      }
    } catch (error) {
      if (Atomics.compareExchange(ctl, ${FAILED_SLOT}, -1, slot) === -1) {
        Atomics.store(ctl, ${FAILED_ERRNO}, Math.abs(error.errno ?? 0));
        Atomics.store(ctl, ${FAILED_CALL}, call);
      }
    }
    if (fd !== -1) try { closeSync(fd); } catch {}
    Atomics.store(ctl, ${TAIL}, tail + 1);
    if (Atomics.load(ctl, ${CALLER_WAITS}) === 1) Atomics.notify(ctl, ${TAIL});
  }
}
})();
`;

export class WriteBehind {
  private readonly control = new Int32Array(new SharedArrayBuffer(8 * 4));
  private readonly meta = new Int32Array(new SharedArrayBuffer(SLOTS * INTS * 4));
  private readonly doubles = new Float64Array(new SharedArrayBuffer(SLOTS * DOUBLES * 8));
  private readonly ring = new SharedArrayBuffer(RING_BYTES);
  private readonly view = Buffer.from(this.ring);
  private readonly worker: Worker;
  /** Paths by slot, for the error message. */
  private readonly paths: string[] = new Array(SLOTS);
  /** Ring positions (monotonic; physical = mod RING_BYTES) where each slot's bytes start. */
  private readonly starts = new Float64Array(SLOTS);
  private head = 0;
  private position = 0;
  private closed = false;

  /** Open on `source`, the file submitFromSource() offsets point into; -1 without one. */
  private readonly sourceFd: number;

  constructor(source?: string) {
    Atomics.store(this.control, FAILED_SLOT, -1);
    this.sourceFd = source === undefined ? -1 : openSync(source, "r");
    this.worker = new Worker(worker(), {
      eval: true, trackUnmanagedFds: false,
      workerData: { control: this.control.buffer, ints: this.meta.buffer, doubles: this.doubles.buffer, ring: this.ring, sourceFd: this.sourceFd },
    });
    this.worker.unref();
  }

  /**
   * Hand over the file `path` (resolved, free): create it with `mode`, write `chunks` (`size`
   * bytes, at most WRITE_BEHIND_MAX_FILE), set the times, close. False when the worker is behind:
   * the caller creates the file itself, rather than wait.
   */
  submit(path: string, mode: number, chunks: Buffer[], size: number, atime: Date, mtime: Date): boolean {
    return this.publish(path, mode, chunks, size, -1, atime, mtime);
  }

  /** As submit(), with the `size` bytes at `offset` of the source file: the kernel copies them, nothing is copied here. */
  submitFromSource(path: string, mode: number, offset: number, size: number, atime: Date, mtime: Date): boolean {
    if (this.sourceFd === -1) throw new Error("write-behind has no source file");
    return this.publish(path, mode, [], size, offset, atime, mtime);
  }

  private publish(path: string, mode: number, chunks: Buffer[], size: number, sourceOffset: number, atime: Date, mtime: Date): boolean {
    this.throwIfFailed();
    const pathBytes = Buffer.byteLength(path);
    const bytes = pathBytes + (sourceOffset >= 0 ? 0 : size);
    let start = this.position;
    if ((start % RING_BYTES) + bytes > RING_BYTES) start += RING_BYTES - (start % RING_BYTES); // no wrap inside a file
    const tail = Atomics.load(this.control, TAIL);
    const oldest = tail === this.head ? start : this.starts[tail % SLOTS];
    if (this.head - tail >= MAX_QUEUED || start + bytes - oldest > RING_BYTES) return false;
    // Buffer#copy, not TypedArray#set, which copies into shared memory byte by byte (3x slower here).
    let at = start % RING_BYTES;
    const slot = this.head % SLOTS;
    this.meta[slot * INTS] = at;
    this.meta[slot * INTS + 1] = pathBytes;
    this.meta[slot * INTS + 2] = size;
    this.meta[slot * INTS + 3] = mode;
    this.meta[slot * INTS + 4] = sourceOffset >= 0 ? 1 : 0;
    at += this.view.write(path, at);
    for (const chunk of chunks) at += chunk.copy(this.view, at);
    this.doubles[slot * DOUBLES] = atime.getTime() / 1000;
    this.doubles[slot * DOUBLES + 1] = mtime.getTime() / 1000;
    this.doubles[slot * DOUBLES + 2] = sourceOffset;
    this.paths[slot] = path;
    this.starts[slot] = start;
    this.position = start + bytes;
    this.head++;
    Atomics.store(this.control, HEAD, this.head);
    if (this.head - tail >= WAKE_BATCH) this.kick();
    return true;
  }

  /** Wake the worker if it sleeps with files waiting: the caller is about to wait for input or for the worker. */
  kick(): void {
    if (Atomics.load(this.control, WORKER_SLEEPS) === 1 && Atomics.load(this.control, TAIL) < this.head) Atomics.notify(this.control, HEAD);
  }

  /** Every handed-over file written and closed; the first failure is thrown. */
  drain(): void {
    this.kick();
    waitForProgress(this.control, TAIL, CALLER_WAITS, this.head, "write-behind");
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
      if (this.sourceFd !== -1) closeSync(this.sourceFd); // drained: no sendfile reads it any more
    }
  }

  private throwIfFailed(): void {
    const slot = Atomics.load(this.control, FAILED_SLOT);
    if (slot === -1) return;
    throw new SyscallError(CALLS[Atomics.load(this.control, FAILED_CALL)], Atomics.load(this.control, FAILED_ERRNO), this.paths[slot]);
  }
}
