/**
 * What a container on this host really is, read without state: its owner record, the spec its
 * native helper ran (NUL-separated tokens, see provider/linux/supervise/spec.ts), the image holding
 * it, its network attachments and its port relay. `cinfra import` turns these into a declaration.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CinfraError } from "../../core/errors.js";
import type { RuntimeConfig } from "../../provider/linux/config.js";
import { ImageStore } from "../../provider/linux/images/store.js";
import type { ImageRecord } from "../../provider/linux/images/types.js";
import { readAttachments, type Attachment } from "../../provider/linux/resources/container-network.js";
import { containerPaths } from "../../provider/linux/resources/container-paths.js";
import { readOwner, type Owner } from "../../provider/linux/resources/owner.js";
import { processStartTime } from "../../provider/linux/supervise/process-info.js";

export interface SpecMount { source: string; target: string; fstype: string; flags: number; data: string }

/** The decoded spec: only the fields a declaration can be rebuilt from. */
export interface DecodedSpec {
  hostname?: string;
  netns?: string;
  mounts: SpecMount[];
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  init: boolean;
  noNewPrivileges: boolean;
  readonlyRootfs: boolean;
  maskedPaths: string[];
  rlimits: { resource: number; soft: number; hard: number }[];
  sysctls: Record<string, string>;
  seccomp: boolean;
  /** Device nodes created inside (cinfra's defaults first, then the declared host devices). */
  devices: string[];
  /** Capability mask (bit n = capability n), when the spec sets one. */
  capabilities?: bigint;
  /** User namespace maps, when the container's root is remapped. */
  uidMap: IdRange[];
  gidMap: IdRange[];
}

export interface IdRange { containerId: number; hostId: number; size: number }

/** How many values follow each key (native/spec.c parses the same table). */
const ARITY: Record<string, number> = {
  id: 1, state: 1, rootfs: 1, ns: 1, netns: 1, ipcns: 1, pidns: 1, hostname: 1, premount: 5, mount: 5, dev: 5, symlink: 2, cgroup: 1, arg: 1,
  env: 1, cwd: 1, uid: 1, gid: 1, group: 1, stdout: 1, stderr: 1, init: 1, caps: 1, nnp: 1, rootro: 1, mask: 1, ro: 1,
  rlimit: 3, sysctl: 2, seccomp: 1, uidmap: 3, gidmap: 3, idmap: 2,
};

export function decodeSpec(buffer: Buffer): DecodedSpec {
  const tokens = buffer.toString("utf8").split("\0");
  if (tokens[tokens.length - 1] === "") tokens.pop();
  const spec: DecodedSpec = {
    mounts: [], devices: [], args: [], env: [], cwd: "/", uid: 0, gid: 0, init: false, noNewPrivileges: false, readonlyRootfs: false,
    maskedPaths: [], rlimits: [], sysctls: {}, seccomp: false, uidMap: [], gidMap: [],
  };
  for (let i = 0; i < tokens.length;) {
    const key = tokens[i];
    const n = ARITY[key];
    if (n === undefined) throw new CinfraError("IMPORT_SPEC", `unknown key "${key}" in the container's spec`);
    const v = tokens.slice(i + 1, i + 1 + n);
    i += 1 + n;
    switch (key) {
      case "hostname": spec.hostname = v[0]; break;
      case "netns": spec.netns = v[0]; break;
      case "mount": spec.mounts.push({ source: v[0], target: v[1], fstype: v[2], flags: Number(v[3]), data: v[4] }); break;
      case "arg": spec.args.push(v[0]); break;
      case "dev": spec.devices.push(v[0]); break;
      case "env": spec.env.push(v[0]); break;
      case "cwd": spec.cwd = v[0]; break;
      case "uid": spec.uid = Number(v[0]); break;
      case "gid": spec.gid = Number(v[0]); break;
      case "init": spec.init = v[0] === "1"; break;
      case "nnp": spec.noNewPrivileges = true; break;
      case "rootro": spec.readonlyRootfs = true; break;
      case "mask": spec.maskedPaths.push(v[0]); break;
      case "rlimit": spec.rlimits.push({ resource: Number(v[0]), soft: Number(v[1]), hard: Number(v[2]) }); break;
      case "sysctl": spec.sysctls[v[0]] = v[1]; break;
      case "seccomp": spec.seccomp = true; break;
      case "caps": spec.capabilities = BigInt(v[0]); break;
      case "uidmap":
      case "gidmap": (key === "uidmap" ? spec.uidMap : spec.gidMap).push({ containerId: Number(v[0]), hostId: Number(v[1]), size: Number(v[2]) }); break;
      default: break;
    }
  }
  return spec;
}

export interface ContainerFacts {
  owner: Owner;
  spec: DecodedSpec;
  /** `<libRoot>/containers/<id>`: the managed /etc files live here (they are not user mounts). */
  dir: string;
  stateDir: string;
  image: ImageRecord;
  /** Overlay lower dirs of the image, top first (for user lookups). */
  lowerDirs: string[];
  attachments: Attachment[];
  ports: { protocol: "tcp" | "udp"; hostIp: string; host: number; container: number }[];
}

export function readContainerFacts(config: RuntimeConfig, id: string): ContainerFacts {
  const paths = containerPaths(config, id);
  const owner = readOwner(paths.dir);
  if (!owner) throw new CinfraError("IMPORT_NOT_FOUND", `no cinfra container with id ${id} on this host (nothing at ${paths.dir}/owner.json)`);
  const specFile = join(paths.stateDir, "spec");
  if (!existsSync(specFile)) throw new CinfraError("IMPORT_NO_SPEC", `container ${id} has no spec at ${specFile}: it was never started on this boot`);
  const images = new ImageStore(config.libRoot);
  const image = images.listImages().find((img) => images.holders(img.id).includes(id));
  if (!image) throw new CinfraError("IMPORT_NO_IMAGE", `container ${id} holds no image in ${images.root}`);
  return {
    owner, spec: decodeSpec(readFileSync(specFile)), dir: paths.dir, stateDir: paths.stateDir, image,
    lowerDirs: images.lowerDirs(image), attachments: readAttachments(paths), ports: publishedPorts(paths.stateDir),
  };
}

/** The relay's own command line names its rules (`proto:hostIp:hostPort:containerIp:containerPort`). */
function publishedPorts(stateDir: string): ContainerFacts["ports"] {
  let pid: number;
  let ticks: number;
  try {
    [pid, ticks] = readFileSync(join(stateDir, "proxy"), "utf8").trim().split(" ").map(Number);
  } catch {
    return [];
  }
  if (processStartTime(pid) !== ticks) return [];
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  return argv.slice(argv.indexOf("proxy") + 2).map((rule) => {
    const [protocol, hostIp, host, , container] = rule.split(":");
    return { protocol: protocol as "tcp" | "udp", hostIp, host: Number(host), container: Number(container) };
  });
}
