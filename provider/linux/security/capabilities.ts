/** Capability sets: Docker's default bounding set, adjusted by a container's add/drop (or everything when privileged). */
import { CAPABILITIES } from "../../../core/kinds/security-props.js";

/** Docker's default set for containers (moby's defaults, by name). */
export const DEFAULT_CAPABILITIES = [
  "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
  "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
] as const;

export function effectiveCapabilities(options: { add?: string[]; drop?: string[]; privileged?: boolean }): string[] {
  if (options.privileged) return [...CAPABILITIES];
  const drop = new Set(options.drop ?? []);
  const base = drop.has("ALL") ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.has(c));
  const add = options.add?.includes("ALL") ? [...CAPABILITIES] : options.add ?? [];
  return [...new Set([...base, ...add])].filter((c) => !drop.has(c) || add.includes(c));
}

/** The 64-bit mask the native helper applies (bit n = capability number n). */
export function capabilityMask(names: readonly string[]): bigint {
  let mask = 0n;
  for (const name of names) {
    const bit = (CAPABILITIES as readonly string[]).indexOf(name);
    if (bit >= 0) mask |= 1n << BigInt(bit);
  }
  return mask;
}
