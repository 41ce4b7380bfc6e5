/** IP addresses as the kernel wants them (network-order bytes), and back to text. */
import { isIPv4, isIPv6 } from "node:net";
import { ValidationError } from "../../../core/errors.js";
import { AF_INET, AF_INET6 } from "../sys/constants.js";

export interface IpAddress {
  family: typeof AF_INET | typeof AF_INET6;
  bytes: Buffer;
}

export interface Cidr extends IpAddress {
  prefixLength: number;
}

export function parseIp(text: string, path = "address"): IpAddress {
  if (isIPv4(text)) return { family: AF_INET, bytes: Buffer.from(text.split(".").map(Number)) };
  if (isIPv6(text)) return { family: AF_INET6, bytes: parseIpv6(text) };
  throw new ValidationError(path, `"${text}" is not an IP address`);
}

/** "10.89.0.1/24" -> address bytes + prefix length (the host part is kept: it is the interface's own address). */
export function parseCidr(text: string, path = "cidr"): Cidr {
  const slash = text.indexOf("/");
  if (slash < 0) throw new ValidationError(path, `"${text}" has no prefix length (e.g. 10.89.0.1/24)`);
  const ip = parseIp(text.slice(0, slash), path);
  const prefixText = text.slice(slash + 1);
  const prefixLength = Number(prefixText);
  const max = ip.family === AF_INET ? 32 : 128;
  if (!/^\d+$/.test(prefixText) || prefixLength > max) throw new ValidationError(path, `bad prefix length in "${text}"`);
  return { ...ip, prefixLength };
}

export function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join(".");
  if (bytes.length !== 16) throw new ValidationError("address", `${bytes.length}-byte address`);
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  // RFC 5952: compress the longest run (length >= 2) of zero groups
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

function parseIpv6(text: string): Buffer {
  let head = text;
  const out = Buffer.alloc(16);
  // a trailing dotted quad ("::ffff:10.0.0.1") fills the last 4 bytes
  const lastColon = text.lastIndexOf(":");
  let groupsRoom = 8;
  if (text.includes(".")) {
    Buffer.from(text.slice(lastColon + 1).split(".").map(Number)).copy(out, 12);
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
    groupsRoom = 6;
  }
  const [left, right] = head.includes("::") ? head.split("::") : [head, undefined];
  const leftGroups = left ? left.split(":") : [];
  const rightGroups = right ? right.split(":") : [];
  const zeros = right === undefined ? 0 : groupsRoom - leftGroups.length - rightGroups.length;
  const all = [...leftGroups, ...Array<string>(zeros).fill("0"), ...rightGroups];
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
