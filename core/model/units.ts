/** Parsing of the human units stack programs use (sizes, CIDRs, IPv4). Pure; throw on bad input via `null`. */

const BINARY: Record<string, number> = { "": 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40,
  K: 1e3, M: 1e6, G: 1e9, T: 1e12,
};

/**
 * Bytes from "64Mi" (Kubernetes quantities), "512m"/"1g" (Docker's lowercase binary units) or a plain number.
 * Returns null when the text is not a size.
 */
export function parseSize(text: string | number): number | null {
  if (typeof text === "number") return Number.isSafeInteger(text) && text >= 0 ? text : null;
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]i?|[bkmgt])?$/.exec(text.trim());
  if (!m) return null;
  const unit = m[2] ?? "";
  const factor = SUFFIX[unit] ?? BINARY[unit];
  if (factor === undefined) return null;
  const bytes = Math.round(Number(m[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** The shortest exact binary-unit spelling: 67108864 -> "64Mi". */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of [["Ti", 2 ** 40], ["Gi", 2 ** 30], ["Mi", 2 ** 20], ["Ki", 2 ** 10]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

export function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

export interface Cidr {
  network: number;
  prefix: number;
  /** Number of addresses in the block. */
  size: number;
}

/** "10.89.0.0/24" -> network/prefix; rejects host bits set and prefixes that leave no room for hosts. */
export function parseCidr(text: string): Cidr | null {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!m) return null;
  const address = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (address === null || prefix < 8 || prefix > 30) return null;
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) return null;
  return { network: address, prefix, size };
}

export function cidrContains(cidr: Cidr, address: number): boolean {
  return address >= cidr.network && address < cidr.network + cidr.size;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}
