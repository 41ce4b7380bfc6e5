/** The request/reply loop of NetlinkSocket against a scripted kernel (no real socket). */
import { describe, expect, it } from "vitest";
import { SyscallError } from "../../core/errors.js";
import { NLMSG_DONE, NLMSG_ERROR, RTM_GETLINK, RTM_NEWLINK } from "../../provider/linux/net/netlink-constants.js";
import { attr, decodeMessages, encodeIfInfoMsg, encodeMessage } from "../../provider/linux/net/netlink-message.js";
import { NetlinkSocket } from "../../provider/linux/net/netlink-socket.js";
import { recordingSyscalls } from "../../provider/linux/sys/recording-syscalls.js";
import type { Syscalls } from "../../provider/linux/sys/syscalls.js";

/** A fake kernel: each send() queues the datagrams `answer(seq)` returns; recv() hands them out in order. */
function scriptedKernel(answer: (seq: number, type: number) => Buffer[]): { sys: Syscalls; sent: Buffer[] } {
  const recorder = recordingSyscalls();
  const queue: Buffer[] = [];
  const sent: Buffer[] = [];
  const sys: Syscalls = {
    ...recorder.syscalls,
    socket: () => 3,
    bindNetlink: () => undefined,
    setsockopt: () => undefined,
    close: () => undefined,
    send(_fd, data) {
      sent.push(Buffer.from(data));
      const [msg] = decodeMessages(data);
      queue.push(...answer(msg.seq, msg.type));
      return data.length;
    },
    recv(_fd, buffer) {
      const next = queue.shift();
      if (!next) throw new SyscallError("recv", 11);
      next.copy(buffer);
      return next.length;
    },
  };
  return { sys, sent };
}

const errorMsg = (seq: number, errno: number, text?: string): Buffer =>
  encodeMessage({ type: NLMSG_ERROR, flags: text ? 0x300 : 0x100, seq }, [
    Buffer.from(Int32Array.of(-errno).buffer),
    Buffer.alloc(16),
    ...(text ? [attr.string(1, text)] : []),
  ]);
const link = (seq: number, name: string, flags = 0): Buffer =>
  encodeMessage({ type: RTM_NEWLINK, flags, seq }, [encodeIfInfoMsg({ index: 1 }), attr.string(3, name)]);

describe("NetlinkSocket", () => {
  it("sends REQUEST|ACK with a fresh sequence number and returns the replies before the ack", () => {
    const { sys, sent } = scriptedKernel((seq) => [Buffer.concat([link(seq, "lo"), errorMsg(seq, 0)])]);
    const socket = NetlinkSocket.open(sys);
    const replies = socket.request(RTM_GETLINK, 0, [encodeIfInfoMsg({ index: 1 })]);
    expect(replies.map((r) => r.type)).toEqual([RTM_NEWLINK]);
    socket.request(RTM_GETLINK, 0, [encodeIfInfoMsg({ index: 1 })]);
    const [first, second] = sent.map((b) => decodeMessages(b)[0]);
    expect(first.flags).toBe(0x5);
    expect(second.seq).toBe((first.seq + 1) >>> 0);
  });

  it("skips stale replies to earlier requests", () => {
    const { sys } = scriptedKernel((seq) => [errorMsg(seq - 1, 17), Buffer.concat([link(seq - 1, "old"), errorMsg(seq, 0)])]);
    expect(NetlinkSocket.open(sys).request(RTM_GETLINK, 0, [])).toEqual([]);
  });

  it("turns a kernel error into SyscallError with the op, errno, path and ext-ack text", () => {
    const { sys } = scriptedKernel((seq) => [errorMsg(seq, 17, "exists already")]);
    const socket = NetlinkSocket.open(sys);
    expect(() => socket.request(RTM_NEWLINK, 0, [], { path: "cinfrab0" })).toThrow(
      expect.objectContaining({ call: "RTM_NEWLINK", errno: 17, path: "cinfrab0", message: "RTM_NEWLINK cinfrab0: EEXIST (exists already)" }),
    );
    expect(() => socket.request(RTM_NEWLINK, 0, [], { call: "createBridge", path: "x" })).toThrow(expect.objectContaining({ call: "createBridge" }));
  });

  it("collects a multipart dump spread over several datagrams until NLMSG_DONE", () => {
    const done = (seq: number): Buffer => encodeMessage({ type: NLMSG_DONE, flags: 2, seq }, [Buffer.alloc(4)]);
    const { sys, sent } = scriptedKernel((seq) => [Buffer.concat([link(seq, "a", 2), link(seq, "b", 2)]), Buffer.concat([link(seq, "c", 2), done(seq)])]);
    const replies = NetlinkSocket.open(sys).dump(RTM_GETLINK, [encodeIfInfoMsg({})]);
    expect(replies).toHaveLength(3);
    expect(decodeMessages(sent[0])[0].flags).toBe(0x301);
  });

  it("refuses use after close", () => {
    const { sys } = scriptedKernel(() => []);
    const socket = NetlinkSocket.open(sys);
    socket.close();
    socket.close();
    expect(() => socket.request(RTM_GETLINK, 0, [])).toThrow(/after close/);
  });
});
