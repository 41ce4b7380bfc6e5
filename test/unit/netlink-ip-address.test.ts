import { describe, expect, it } from "vitest";
import { ValidationError } from "../../core/errors.js";
import { formatIp, parseCidr, parseIp } from "../../provider/linux/net/ip-address.js";

describe("IP addresses for netlink", () => {
  it("turns IPv4 text into network-order bytes and back", () => {
    expect(parseIp("10.89.0.1")).toEqual({ family: 2, bytes: Buffer.from([10, 89, 0, 1]) });
    expect(formatIp(Buffer.from([192, 168, 1, 254]))).toBe("192.168.1.254");
  });

  it("parses CIDRs keeping the host part", () => {
    expect(parseCidr("10.89.0.1/24")).toMatchObject({ family: 2, prefixLength: 24, bytes: Buffer.from([10, 89, 0, 1]) });
    expect(parseCidr("fd00::1/64")).toMatchObject({ family: 10, prefixLength: 64 });
  });

  it("round-trips IPv6 in RFC 5952 form", () => {
    for (const text of ["::1", "::", "fe80::48ac:f0ff:fef7:b94a", "fd00:1:0:0:1::", "2001:db8::1:0:0:1", "1:2:3:4:5:6:7:8"]) {
      expect(formatIp(parseIp(text).bytes)).toBe(text);
    }
    expect(formatIp(parseIp("::ffff:10.0.0.1").bytes)).toBe("::ffff:a00:1");
    expect(parseIp("2001:db8::").bytes.toString("hex")).toBe("20010db8000000000000000000000000");
  });

  it("rejects what is not an address or a CIDR with the property path", () => {
    expect(() => parseIp("10.0.0.256", "network.subnet")).toThrow(ValidationError);
    expect(() => parseCidr("10.0.0.1")).toThrow(/no prefix length/);
    expect(() => parseCidr("10.0.0.1/33")).toThrow(/bad prefix length/);
    expect(() => parseCidr("10.0.0.1/x")).toThrow(/bad prefix length/);
  });
});
