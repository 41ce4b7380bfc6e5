import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { runTag } from "./busybox-rootfs.js";

const ROOT = join(import.meta.dirname, "../..");

export interface Sandbox {
  tag: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Kernel-object names this sandbox's runtime uses, for leak checks. */
  cgroupParent: string;
  linkPrefix: string;
  runRoot: string;
}

/** Per-run roots and names (all starting with `cinfra`), so tests never touch anything else. */
export function sandbox(): Sandbox {
  const tag = runTag();
  const dir = `/tmp/cinfra${tag}-e2e`;
  const runRoot = `/run/cinfra${tag}`;
  mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env,
    CINFRA_STATE: join(dir, "state.db"),
    CINFRA_LIB_ROOT: join(dir, "lib"),
    CINFRA_RUN_ROOT: runRoot,
    CINFRA_CGROUP_PARENT: `cinfra${tag}`,
    CINFRA_LINK_PREFIX: `cinfra${tag}`,
    NO_COLOR: "1",
  };
  return { tag, dir, env, cgroupParent: `cinfra${tag}`, linkPrefix: `cinfra${tag}`, runRoot };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the real `cinfra` command (bin/cinfra.mjs over the built bundle). */
export function cinfra(box: Sandbox, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/cinfra.mjs"), ...args], { env: box.env, encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
