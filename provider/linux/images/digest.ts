/** sha256 digests as the OCI spec writes them (`sha256:<64 hex>`), and layer chain IDs. */
import { createHash } from "node:crypto";
import { RuntimeError } from "../../../core/errors.js";

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const BARE_HEX = /^[0-9a-f]{64}$/;

export const sha256 = (data: string | Buffer): string => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** The hex part, which names files in the store. */
export const hex = (digest: string): string => digest.slice("sha256:".length);

/**
 * A digest from an archive, a manifest or a caller, checked before it names a file:
 * only sha256 in canonical form (so `../x` or `sha512:…` can never become a path).
 * A bare 64-hex id is accepted and prefixed.
 */
export function checkDigest(value: unknown, what: string): string {
  if (typeof value === "string" && BARE_HEX.test(value)) return `sha256:${value}`;
  if (typeof value === "string" && DIGEST.test(value)) return value;
  throw new RuntimeError("DIGEST_INVALID", `${what}: ${JSON.stringify(value)} is not a sha256 digest`);
}

export const isDigest = (value: unknown): value is string => typeof value === "string" && DIGEST.test(value);

/** chainID(1) = diffID(1); chainID(n) = sha256(chainID(n-1) + " " + diffID(n)). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) out.push(chainId(out.length === 0 ? null : out[out.length - 1], diffId));
  return out;
}

export function chainId(parent: string | null, diffId: string): string {
  return parent === null ? diffId : sha256(`${parent} ${diffId}`);
}
