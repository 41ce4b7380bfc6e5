/**
 * Pure encoding and decoding of rtnetlink messages: nlmsghdr, ifinfomsg, ifaddrmsg, rtmsg and
 * (nested) attributes, plus NLMSG_ERROR / NLMSG_DONE replies. Netlink uses host byte order;
 * cinfra targets little-endian hosts (x86_64, aarch64), so everything here is LE.
 */
import { RuntimeError } from "../../../core/errors.js";
import {
  IFADDRMSG_LEN, IFINFOMSG_LEN, NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK, NLM_F_ACK_TLVS, NLM_F_CAPPED,
  NLMSG_HDRLEN, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, RTMSG_LEN,
} from "./netlink-constants.js";

export interface NetlinkHeader {
  type: number;
  flags: number;
  seq: number;
  /** Sender port id; 0 when sent to the kernel. */
  pid?: number;
}

export interface NetlinkMessage extends Required<NetlinkHeader> {
  payload: Buffer;
}

/** Netlink aligns every header, struct and attribute to 4 bytes. */
export const align4 = (n: number): number => (n + 3) & ~3;

function malformed(what: string): RuntimeError {
  return new RuntimeError("NETLINK_MALFORMED", `malformed netlink reply: ${what}`);
}

/** One message: nlmsghdr followed by the (already aligned) parts. */
export function encodeMessage(header: NetlinkHeader, parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(NLMSG_HDRLEN);
  head.writeUInt32LE(NLMSG_HDRLEN + body.length, 0);
  head.writeUInt16LE(header.type, 4);
  head.writeUInt16LE(header.flags, 6);
  head.writeUInt32LE(header.seq >>> 0, 8);
  head.writeUInt32LE(header.pid ?? 0, 12);
  return Buffer.concat([head, body]);
}

/** Split one datagram into its messages (a dump packs several per datagram). */
export function decodeMessages(data: Buffer): NetlinkMessage[] {
  const messages: NetlinkMessage[] = [];
  let offset = 0;
  while (offset + NLMSG_HDRLEN <= data.length) {
    const length = data.readUInt32LE(offset);
    if (length < NLMSG_HDRLEN || offset + length > data.length) throw malformed(`message length ${length} at ${offset}`);
    messages.push({
      type: data.readUInt16LE(offset + 4),
      flags: data.readUInt16LE(offset + 6),
      seq: data.readUInt32LE(offset + 8),
      pid: data.readUInt32LE(offset + 12),
      payload: data.subarray(offset + NLMSG_HDRLEN, offset + length),
    });
    offset += align4(length);
  }
  return messages;
}

// ---- attributes ----

export interface Attribute {
  /** Type without the NLA_F_NESTED / NLA_F_NET_BYTEORDER bits. */
  type: number;
  data: Buffer;
}

export function encodeAttr(type: number, data: Buffer): Buffer {
  const out = Buffer.alloc(align4(NLA_HDRLEN + data.length));
  out.writeUInt16LE(NLA_HDRLEN + data.length, 0);
  out.writeUInt16LE(type, 2);
  data.copy(out, NLA_HDRLEN);
  return out;
}

export const attr = {
  u8: (type: number, value: number): Buffer => encodeAttr(type, Buffer.of(value)),
  u32(type: number, value: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value >>> 0);
    return encodeAttr(type, b);
  },
  /** NUL-terminated, as the kernel expects for names and kinds. */
  string: (type: number, value: string): Buffer => encodeAttr(type, Buffer.from(`${value}\0`)),
  bytes: (type: number, value: Buffer): Buffer => encodeAttr(type, value),
  nested: (type: number, children: Buffer[]): Buffer => encodeAttr(type | NLA_F_NESTED, Buffer.concat(children)),
};

export function decodeAttrs(data: Buffer): Attribute[] {
  const attrs: Attribute[] = [];
  let offset = 0;
  while (offset + NLA_HDRLEN <= data.length) {
    const length = data.readUInt16LE(offset);
    if (length < NLA_HDRLEN || offset + length > data.length) throw malformed(`attribute length ${length} at ${offset}`);
    attrs.push({ type: data.readUInt16LE(offset + 2) & NLA_TYPE_MASK, data: data.subarray(offset + NLA_HDRLEN, offset + length) });
    offset += align4(length);
  }
  return attrs;
}

/** Attributes by type (the last one wins, as in the kernel's nla_parse). */
export function attrMap(data: Buffer): Map<number, Buffer> {
  return new Map(decodeAttrs(data).map((a) => [a.type, a.data]));
}

export function attrString(data: Buffer | undefined): string | null {
  if (!data) return null;
  const nul = data.indexOf(0);
  return data.subarray(0, nul < 0 ? data.length : nul).toString();
}

export function attrU32(data: Buffer | undefined): number | null {
  return data && data.length >= 4 ? data.readUInt32LE(0) : null;
}

// ---- fixed family headers ----

export interface IfInfoMsg { family: number; type: number; index: number; flags: number; change: number }
export interface IfAddrMsg { family: number; prefixLength: number; flags: number; scope: number; index: number }
export interface RtMsg {
  family: number; dstLength: number; srcLength: number; tos: number; table: number;
  protocol: number; scope: number; type: number; flags: number;
}

/** struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; } */
export function encodeIfInfoMsg(m: Partial<IfInfoMsg>): Buffer {
  const b = Buffer.alloc(IFINFOMSG_LEN);
  b.writeUInt8(m.family ?? 0, 0);
  b.writeUInt16LE(m.type ?? 0, 2);
  b.writeInt32LE(m.index ?? 0, 4);
  b.writeUInt32LE((m.flags ?? 0) >>> 0, 8);
  b.writeUInt32LE((m.change ?? 0) >>> 0, 12);
  return b;
}

export function decodeIfInfoMsg(payload: Buffer): { header: IfInfoMsg; attrs: Map<number, Buffer> } {
  if (payload.length < IFINFOMSG_LEN) throw malformed("short ifinfomsg");
  const header = {
    family: payload.readUInt8(0), type: payload.readUInt16LE(2), index: payload.readInt32LE(4),
    flags: payload.readUInt32LE(8), change: payload.readUInt32LE(12),
  };
  return { header, attrs: attrMap(payload.subarray(IFINFOMSG_LEN)) };
}

/** struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; } */
export function encodeIfAddrMsg(m: IfAddrMsg): Buffer {
  const b = Buffer.alloc(IFADDRMSG_LEN);
  b.writeUInt8(m.family, 0);
  b.writeUInt8(m.prefixLength, 1);
  b.writeUInt8(m.flags, 2);
  b.writeUInt8(m.scope, 3);
  b.writeUInt32LE(m.index, 4);
  return b;
}

export function decodeIfAddrMsg(payload: Buffer): { header: IfAddrMsg; attrs: Map<number, Buffer> } {
  if (payload.length < IFADDRMSG_LEN) throw malformed("short ifaddrmsg");
  const header = {
    family: payload.readUInt8(0), prefixLength: payload.readUInt8(1), flags: payload.readUInt8(2),
    scope: payload.readUInt8(3), index: payload.readUInt32LE(4),
  };
  return { header, attrs: attrMap(payload.subarray(IFADDRMSG_LEN)) };
}

/** struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; } */
export function encodeRtMsg(m: RtMsg): Buffer {
  const b = Buffer.alloc(RTMSG_LEN);
  [m.family, m.dstLength, m.srcLength, m.tos, m.table, m.protocol, m.scope, m.type].forEach((v, i) => b.writeUInt8(v, i));
  b.writeUInt32LE(m.flags >>> 0, 8);
  return b;
}

export function decodeRtMsg(payload: Buffer): { header: RtMsg; attrs: Map<number, Buffer> } {
  if (payload.length < RTMSG_LEN) throw malformed("short rtmsg");
  const [family, dstLength, srcLength, tos, table, protocol, scope, type] = payload.subarray(0, 8);
  const header = { family, dstLength, srcLength, tos, table, protocol, scope, type, flags: payload.readUInt32LE(8) };
  return { header, attrs: attrMap(payload.subarray(RTMSG_LEN)) };
}

// ---- replies ----

export interface ErrorReply {
  /** Positive errno; 0 is a plain acknowledgement. */
  errno: number;
  /** Extended ack text (NETLINK_EXT_ACK), e.g. "Unknown device type". */
  message?: string;
  /** Byte offset of the offending attribute in the request, when the kernel names one. */
  offset?: number;
}

/** struct nlmsgerr { s32 error; struct nlmsghdr msg; [request payload unless capped] } [TLVs]. */
export function decodeError(msg: NetlinkMessage): ErrorReply {
  if (msg.payload.length < 4) throw malformed("short NLMSG_ERROR");
  const reply: ErrorReply = { errno: -msg.payload.readInt32LE(0) || 0 };
  if (!(msg.flags & NLM_F_ACK_TLVS) || msg.payload.length < 4 + NLMSG_HDRLEN) return reply;
  const requestLength = msg.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : msg.payload.readUInt32LE(4);
  const tlvs = attrMap(msg.payload.subarray(4 + align4(requestLength)));
  const message = attrString(tlvs.get(NLMSGERR_ATTR_MSG));
  const offset = attrU32(tlvs.get(NLMSGERR_ATTR_OFFS));
  if (message) reply.message = message;
  if (offset !== null) reply.offset = offset;
  return reply;
}

/** NLMSG_DONE carries an int: 0, or a negative errno when a dump failed part-way. */
export function decodeDone(msg: NetlinkMessage): number {
  return msg.payload.length >= 4 ? -msg.payload.readInt32LE(0) || 0 : 0;
}
