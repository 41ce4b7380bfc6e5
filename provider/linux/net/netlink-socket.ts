/**
 * A NETLINK_ROUTE socket bound in the network namespace of the calling thread at open time
 * (a netlink socket stays tied to the namespace it was created in, whatever the thread does later).
 *
 * Requests are synchronous: rtnetlink handles a request inside send(2), so the reply is already
 * queued when recv(2) runs. SO_RCVTIMEO bounds the wait anyway, so a lost reply cannot hang Node.
 */
import { RuntimeError, SyscallError } from "../../../core/errors.js";
import {
  AF_NETLINK, MSG_TRUNC, NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_ROUTE, SO_RCVTIMEO, SOCK_CLOEXEC, SOCK_RAW,
  SOL_NETLINK, SOL_SOCKET,
} from "../sys/constants.js";
import { createSyscalls, type Syscalls } from "../sys/syscalls.js";
import { NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN, RTM_NAMES } from "./netlink-constants.js";
import { decodeDone, decodeError, decodeMessages, encodeMessage, type NetlinkMessage } from "./netlink-message.js";

/** Larger than the kernel's biggest dump datagram (it caps them at 32 KiB). */
const RECEIVE_BUFFER_SIZE = 64 * 1024;
const RECEIVE_TIMEOUT_SECONDS = 5;

/** What a failed request reports: the operation (default: the RTM_* name) and the object it was about. */
export interface RequestContext {
  call?: string;
  path?: string;
}

export class NetlinkSocket {
  private seq = Math.floor(Math.random() * 0x7fffffff);
  private readonly buffer = Buffer.allocUnsafe(RECEIVE_BUFFER_SIZE);
  private closed = false;

  private constructor(
    private readonly sys: Syscalls,
    readonly fd: number,
  ) {}

  /** Open a socket in the current network namespace of the calling thread. */
  static open(sys: Syscalls = createSyscalls()): NetlinkSocket {
    const fd = sys.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    try {
      sys.bindNetlink(fd);
      const one = Buffer.alloc(4);
      one.writeInt32LE(1);
      // errors carry the kernel's explanation, and do not echo our whole request back
      sys.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one);
      sys.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, one);
      const timeout = Buffer.alloc(16); // struct timeval { s64 sec; s64 usec; }
      timeout.writeBigInt64LE(BigInt(RECEIVE_TIMEOUT_SECONDS), 0);
      sys.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout);
      return new NetlinkSocket(sys, fd);
    } catch (error) {
      sys.close(fd);
      throw error;
    }
  }

  /**
   * Send one request with NLM_F_ACK and wait for its acknowledgement; returns the data replies
   * that came before it (e.g. the RTM_NEWLINK answering an RTM_GETLINK). A kernel error becomes
   * SyscallError(context.call ?? RTM name, errno, context.path).
   */
  request(type: number, flags: number, parts: Buffer[], context: RequestContext = {}): NetlinkMessage[] {
    return this.exchange(type, NLM_F_REQUEST | NLM_F_ACK | flags, parts, context, false);
  }

  /** A dump request (NLM_F_DUMP): every message of the multipart reply up to NLMSG_DONE. */
  dump(type: number, parts: Buffer[], context: RequestContext = {}): NetlinkMessage[] {
    return this.exchange(type, NLM_F_REQUEST | NLM_F_DUMP, parts, context, true);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sys.close(this.fd);
  }

  private exchange(type: number, flags: number, parts: Buffer[], context: RequestContext, isDump: boolean): NetlinkMessage[] {
    if (this.closed) throw new RuntimeError("NETLINK_CLOSED", "netlink socket used after close");
    const call = context.call ?? RTM_NAMES[type] ?? `netlink type ${type}`;
    const seq = (this.seq = (this.seq + 1) >>> 0);
    this.sys.send(this.fd, encodeMessage({ type, flags, seq }, parts));
    const replies: NetlinkMessage[] = [];
    for (;;) {
      for (const msg of this.receive(call, context.path)) {
        if (msg.seq !== seq || msg.type === NLMSG_NOOP) continue; // stale answer to an earlier, abandoned request
        if (msg.type === NLMSG_ERROR) {
          const reply = decodeError(msg);
          if (reply.errno !== 0) throw new SyscallError(call, reply.errno, context.path, reply.message);
          return replies;
        }
        if (msg.type === NLMSG_DONE) {
          const errno = decodeDone(msg);
          if (errno !== 0) throw new SyscallError(call, errno, context.path);
          if (isDump) return replies;
          continue;
        }
        if (msg.type === NLMSG_OVERRUN) throw new SyscallError(call, 105 /* ENOBUFS */, context.path, "netlink overrun");
        replies.push(msg);
      }
    }
  }

  private receive(call: string, path: string | undefined): NetlinkMessage[] {
    const length = this.sys.recv(this.fd, this.buffer, MSG_TRUNC);
    if (length === 0) throw new RuntimeError("NETLINK_EMPTY", `${call}: empty netlink datagram`);
    if (length > this.buffer.length) throw new SyscallError(call, 90 /* EMSGSIZE */, path, `reply of ${length} bytes truncated`);
    // copy: the buffer is reused by the next receive, replies may outlive it
    return decodeMessages(Buffer.from(this.buffer.subarray(0, length)));
  }
}
