/**
 * Byte layouts derived by hand from the uapi headers (little-endian):
 *   struct nlmsghdr  { u32 len; u16 type; u16 flags; u32 seq; u32 pid; }                    16 bytes
 *   struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }      16 bytes
 *   struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }              8 bytes
 *   struct rtmsg     { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; } 12 bytes
 *   struct nlattr    { u16 len; u16 type; } + data, padded to 4; nested types carry 0x8000
 */
import { describe, expect, it } from "vitest";
import { RuntimeError } from "../../core/errors.js";
import {
  IFLA_IFNAME, IFLA_INFO_KIND, IFLA_LINKINFO, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST, NLMSG_DONE, NLMSG_ERROR,
  RTM_NEWLINK,
} from "../../provider/linux/net/netlink-constants.js";
import {
  attr, attrMap, attrString, attrU32, decodeAttrs, decodeDone, decodeError, decodeIfAddrMsg, decodeIfInfoMsg, decodeMessages,
  decodeRtMsg, encodeIfAddrMsg, encodeIfInfoMsg, encodeMessage, encodeRtMsg,
} from "../../provider/linux/net/netlink-message.js";

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("encoding", () => {
  it("builds RTM_NEWLINK for a bridge byte for byte", () => {
    const msg = encodeMessage({ type: RTM_NEWLINK, flags: NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq: 1 }, [
      encodeIfInfoMsg({}),
      attr.string(IFLA_IFNAME, "br0"),
      attr.nested(IFLA_LINKINFO, [attr.string(IFLA_INFO_KIND, "bridge")]),
    ]);
    expect(msg.toString("hex")).toBe(
      hex(`
        38000000 1000 0506 01000000 00000000
        00 00 0000 00000000 00000000 00000000
        0800 0300 62723000
        1000 1280
          0b00 0100 627269646765 00 00
      `).toString("hex"),
    );
  });

  it("pads attributes to 4 bytes but records their unpadded length", () => {
    expect(attr.u8(7, 1).toString("hex")).toBe("05000700" + "01000000");
    expect(attr.u32(4, 1500).toString("hex")).toBe("08000400" + "dc050000");
    expect(attr.bytes(1, Buffer.alloc(0)).toString("hex")).toBe("04000100");
  });

  it("lays out ifinfomsg with signed index and flag/change words", () => {
    expect(encodeIfInfoMsg({ family: 0, index: 7, flags: 1, change: 1 }).toString("hex")).toBe("00000000" + "07000000" + "01000000" + "01000000");
  });

  it("lays out ifaddrmsg for 10.89.0.1/24 on ifindex 7", () => {
    expect(encodeIfAddrMsg({ family: 2, prefixLength: 24, flags: 0, scope: 0, index: 7 }).toString("hex")).toBe("02180000" + "07000000");
    expect(attr.bytes(2, Buffer.from([10, 89, 0, 1])).toString("hex")).toBe("08000200" + "0a590001");
  });

  it("lays out rtmsg for a main-table, boot-protocol unicast default route", () => {
    const rt = { family: 2, dstLength: 0, srcLength: 0, tos: 0, table: 254, protocol: 3, scope: 0, type: 1, flags: 0 };
    expect(encodeRtMsg(rt).toString("hex")).toBe("02000000" + "fe030001" + "00000000");
    expect(decodeRtMsg(encodeRtMsg(rt)).header).toEqual(rt);
  });
});

describe("decoding", () => {
  it("splits a multipart datagram at 4-byte boundaries", () => {
    const first = encodeMessage({ type: RTM_NEWLINK, flags: 2, seq: 9, pid: 0 }, [Buffer.from("x")]); // len 17, padded to 20
    expect(first.readUInt32LE(0)).toBe(17);
    const data = Buffer.concat([first, Buffer.alloc(3), encodeMessage({ type: NLMSG_DONE, flags: 2, seq: 9 }, [hex("00000000")])]);
    const messages = decodeMessages(data);
    expect(messages.map((m) => [m.type, m.seq, m.payload.length])).toEqual([[RTM_NEWLINK, 9, 1], [NLMSG_DONE, 9, 4]]);
    expect(decodeDone(messages[1])).toBe(0);
  });

  it("reads a NEWLINK reply with nested linkinfo, masking the nested flag", () => {
    const payload = Buffer.concat([
      encodeIfInfoMsg({ index: 5, flags: 0x1003 }),
      attr.string(IFLA_IFNAME, "cinfrab0"),
      attr.u32(13, 1500),
      attr.nested(IFLA_LINKINFO, [attr.string(IFLA_INFO_KIND, "bridge")]),
    ]);
    const { header, attrs } = decodeIfInfoMsg(payload);
    expect(header).toEqual({ family: 0, type: 0, index: 5, flags: 0x1003, change: 0 });
    expect(attrString(attrs.get(IFLA_IFNAME))).toBe("cinfrab0");
    expect(attrU32(attrs.get(13))).toBe(1500);
    expect(attrString(attrMap(attrs.get(IFLA_LINKINFO) ?? Buffer.alloc(0)).get(IFLA_INFO_KIND))).toBe("bridge");
    expect(decodeAttrs(payload.subarray(16)).map((a) => a.type)).toEqual([IFLA_IFNAME, 13, IFLA_LINKINFO]);
  });

  it("reads an ifaddrmsg reply", () => {
    const { header, attrs } = decodeIfAddrMsg(hex("02188000 07000000 08000200 0a590001"));
    expect(header).toEqual({ family: 2, prefixLength: 24, flags: 0x80, scope: 0, index: 7 });
    expect([...(attrs.get(2) ?? [])]).toEqual([10, 89, 0, 1]);
  });

  it("parses NLMSG_ERROR: a capped error with an extended-ack message", () => {
    // error -17, the echoed request header only (NLM_F_CAPPED), then NLMSGERR_ATTR_MSG "boom"
    const data = hex(`
      30000000 0200 0003 05000000 d2040000
      efffffff
      38000000 1000 0506 05000000 00000000
      0900 0100 626f6f6d00 000000
    `);
    const [msg] = decodeMessages(data);
    expect(msg.type).toBe(NLMSG_ERROR);
    expect(decodeError(msg)).toEqual({ errno: 17, message: "boom" });
  });

  it("parses an uncapped error by skipping the echoed request", () => {
    const request = encodeMessage({ type: RTM_NEWLINK, flags: 5, seq: 3 }, [encodeIfInfoMsg({})]);
    const payload = Buffer.concat([hex("eaffffff"), request, attr.string(1, "bad"), attr.u32(2, 20)]);
    const msg = decodeMessages(encodeMessage({ type: NLMSG_ERROR, flags: 0x200, seq: 3 }, [payload]))[0];
    expect(decodeError(msg)).toEqual({ errno: 22, message: "bad", offset: 20 });
  });

  it("treats error 0 as an acknowledgement", () => {
    const msg = decodeMessages(encodeMessage({ type: NLMSG_ERROR, flags: 0x100, seq: 1 }, [hex("00000000"), Buffer.alloc(16)]))[0];
    expect(decodeError(msg)).toEqual({ errno: 0 });
  });

  it("reports a failed dump's errno from NLMSG_DONE", () => {
    const msg = decodeMessages(encodeMessage({ type: NLMSG_DONE, flags: 2, seq: 1 }, [hex("fcffffff")]))[0];
    expect(decodeDone(msg)).toBe(4); // EINTR
  });

  it("rejects lengths that run past the datagram", () => {
    expect(() => decodeMessages(hex("40000000 1000 0000 01000000 00000000"))).toThrow(RuntimeError);
    expect(() => decodeAttrs(hex("0800 0300 6100"))).toThrow(/malformed/);
  });
});
