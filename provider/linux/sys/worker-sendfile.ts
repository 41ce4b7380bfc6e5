/**
 * sendfile(2) for a worker thread's eval'd source (write-behind.ts): the code below defines
 * `sendfileAll(outFd, inFd, offset, count)`, which copies `count` bytes at `offset` of `inFd` to
 * `outFd` inside the kernel (page cache to page cache, no copy through JavaScript) and throws an
 * error carrying `errno` on failure. koffi loads on the first call, in the worker, and stays in
 * sys/ like every other koffi use.
 */
import { createRequire } from "node:module";

const EIO = 5;

export function sendfileWorkerSource(): string {
  const koffi = JSON.stringify(createRequire(import.meta.url).resolve("koffi"));
  return `
let sendfileNative = null, koffiErrno = null;
function sendfileAll(outFd, inFd, offset, count) {
  if (!sendfileNative) {
    const koffi = require(${koffi});
    sendfileNative = koffi.load("libc.so.6").func("long sendfile(int out_fd, int in_fd, _Inout_ int64_t *offset, size_t count)");
    koffiErrno = () => koffi.errno();
  }
  const at = [offset];
  while (count > 0) {
    const sent = Number(sendfileNative(outFd, inFd, at, count));
    if (sent <= 0) throw Object.assign(new Error("sendfile"), { errno: sent < 0 ? koffiErrno() : ${EIO} });
    count -= sent;
  }
}
`;
}
