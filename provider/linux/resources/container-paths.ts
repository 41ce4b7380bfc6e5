import { join } from "node:path";
import type { RuntimeConfig } from "../config.js";

/** Where one container's files live: persistent data under libRoot, volatile state under runRoot. */
export interface ContainerPaths {
  /** `<libRoot>/containers/<id>`: owner.json, overlay dirs, hosts files, the output log. */
  dir: string;
  upper: string;
  work: string;
  /** The overlay's merged view, mounted inside the container's own mount namespace only. */
  rootfs: string;
  /** Mount points of the image layers seen through a user namespace's maps (inside the container's mount namespace). */
  idmapped: string;
  hosts: string;
  hostname: string;
  resolv: string;
  /** The CRI-format log the shim writes (rotated as log.1 … log.N-1). */
  log: string;
  /** What the container writes, raw; the shim converts it into `log` and frees what it converted. */
  stdoutRaw: string;
  stderrRaw: string;
  /** How far the shim has converted each raw file (an adopting shim resumes there). */
  logOffsets: string;
  /** `<runRoot>/containers/<id>`: spec, pid, exit status (written by the shim). */
  stateDir: string;
  netns: string;
}

export function containerPaths(config: RuntimeConfig, id: string): ContainerPaths {
  const dir = join(config.libRoot, "containers", id);
  const stateDir = join(config.runRoot, "containers", id);
  return {
    dir, upper: join(dir, "upper"), work: join(dir, "work"), rootfs: join(dir, "merged"),
    idmapped: join(dir, "idmapped"),
    hosts: join(dir, "hosts"), hostname: join(dir, "hostname"), resolv: join(dir, "resolv.conf"),
    log: join(dir, "container.log"),
    stdoutRaw: join(dir, "stdout.raw"), stderrRaw: join(dir, "stderr.raw"), logOffsets: join(dir, "log.offsets"), stateDir, netns: join(config.runRoot, "netns", id),
  };
}
