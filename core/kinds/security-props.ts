/** Validation of a container's security props: capability names, sysctls (namespaced only), ulimits, tmpfs. */
import { ABSOLUTE_PATH, array, fail, number, record, string, stringArray } from "../model/check.js";
import { formatSize, parseSize } from "../model/units.js";
import type { Props, PropValue } from "../model/types.js";

export const CAPABILITIES = [
  "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP", "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT",
  "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE",
  "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ",
  "PERFMON", "BPF", "CHECKPOINT_RESTORE",
] as const;

export const ULIMITS = ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"] as const;

/** Sysctls that belong to a namespace the container owns (Docker's rule): others would change the host. */
const NAMESPACED_SYSCTL = /^(kernel\.(msgmax|msgmnb|msgmni|sem|shmall|shmmax|shmmni|shm_rmid_forced)|fs\.mqueue\.[a-z_]+|net\.[a-z0-9_.-]+)$/;

function capabilityList(raw: unknown, path: string): string[] {
  return stringArray(raw, path).map((name, i) => {
    const bare = name.toUpperCase().replace(/^CAP_/, "");
    if (bare !== "ALL" && !(CAPABILITIES as readonly string[]).includes(bare)) fail(`${path}[${i}]`, `${JSON.stringify(name)} is not a capability`);
    return bare;
  });
}

export function normalizeCapabilities(raw: unknown, path: string): Props {
  const caps = record(raw, path, ["add", "drop"]);
  const out: Props = {};
  if (caps.add !== undefined) out.add = capabilityList(caps.add, `${path}.add`);
  if (caps.drop !== undefined) out.drop = capabilityList(caps.drop, `${path}.drop`);
  return out;
}

export function normalizeSysctls(raw: unknown, path: string): Props {
  const sysctls = record(raw, path, Object.keys((raw ?? {}) as object));
  const out: Props = {};
  for (const key of Object.keys(sysctls).sort()) {
    if (!NAMESPACED_SYSCTL.test(key)) fail(`${path}.${key}`, "is not a namespaced sysctl: setting it in a container would change the host");
    out[key] = String(string(String(sysctls[key]), `${path}.${key}`));
  }
  return out;
}

export function normalizeUlimits(raw: unknown, path: string): Props {
  const limits = record(raw, path, ULIMITS);
  const out: Props = {};
  for (const name of Object.keys(limits).sort()) {
    const value = limits[name];
    const at = `${path}.${name}`;
    if (typeof value === "number") {
      out[name] = { soft: number(value, at, { min: -1, max: Number.MAX_SAFE_INTEGER, integer: true }), hard: value };
    } else {
      const pair = record(value, at, ["soft", "hard"]);
      const soft = number(pair.soft, `${at}.soft`, { min: -1, max: Number.MAX_SAFE_INTEGER, integer: true });
      const hard = number(pair.hard, `${at}.hard`, { min: -1, max: Number.MAX_SAFE_INTEGER, integer: true });
      if (hard !== -1 && (soft === -1 || soft > hard)) fail(at, `soft limit ${soft} is above hard limit ${hard}`);
      out[name] = { soft, hard };
    }
  }
  return out;
}

export function normalizeTmpfs(raw: unknown, path: string): PropValue[] {
  return array(raw, path).map((entry, i) => {
    const at = `${path}[${i}]`;
    const t = typeof entry === "string" ? { target: entry } : record(entry, at, ["target", "size", "mode"]);
    const out: Props = { target: string(t.target, `${at}.target`, ABSOLUTE_PATH) };
    if (t.size !== undefined) {
      const bytes = typeof t.size === "string" || typeof t.size === "number" ? parseSize(t.size) : null;
      if (bytes === null) fail(`${at}.size`, `${JSON.stringify(t.size)} is not a size`);
      out.size = formatSize(bytes);
    }
    if (t.mode !== undefined) out.mode = number(t.mode, `${at}.mode`, { min: 0, max: 0o7777, integer: true });
    return out;
  });
}
