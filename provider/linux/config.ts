import { createHash } from "node:crypto";

/**
 * Where the local runtime keeps its objects. Every kernel object and file it creates is
 * findable from these roots without state (ARCHITECTURE.md, "Kernel objects carry their owner").
 * Tests override every field with a per-run `cinfra…` prefix.
 */
export interface RuntimeConfig {
  /** Persistent data: image layers, volumes, container upper dirs. */
  libRoot: string;
  /** Volatile data: container state dirs (pid, exit status, spec), named netns files. */
  runRoot: string;
  /** Root of the cgroup filesystem. */
  cgroupRoot: string;
  /** Name of cinfra's parent cgroup under each controller (v1) or the unified root (v2). */
  cgroupParent: string;
  /** Prefix of every network interface cinfra creates; starts with "cinfra", at most 9 chars. */
  linkPrefix: string;
}

export function defaultRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  return {
    libRoot: env.CINFRA_LIB_ROOT ?? "/var/lib/cinfra",
    runRoot: env.CINFRA_RUN_ROOT ?? "/run/cinfra",
    cgroupRoot: env.CINFRA_CGROUP_ROOT ?? "/sys/fs/cgroup",
    cgroupParent: env.CINFRA_CGROUP_PARENT ?? "cinfra",
    linkPrefix: env.CINFRA_LINK_PREFIX ?? "cinfra",
  };
}

/** Kernel interface names are at most 15 bytes: prefix + role letter + hash fills the rest. */
export function linkName(config: RuntimeConfig, role: "b" | "v", identity: string): string {
  const room = 15 - config.linkPrefix.length - 1;
  const hash = createHash("sha256").update(identity).digest("hex").slice(0, room);
  return `${config.linkPrefix}${role}${hash}`;
}
