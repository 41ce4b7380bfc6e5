/** The typed props users write in stack programs. Kept apart from the canonical (normalized) Props. */
import type { Container, Image, Network, Resource, Volume } from "./resources.js";

export interface ResourceOptions {
  /** Extra ordering edges besides the references in props. */
  dependsOn?: Resource[];
  /** Any plan that would delete this resource is an error. */
  protect?: boolean;
  /**
   * Removing this resource from the program (or `cinfra destroy`) only removes it from state: the
   * object keeps running, unmanaged. Resources it needs are kept with it. A replace still deletes the old one.
   */
  retainOnDelete?: boolean;
  /** Dotted prop paths whose changes are ignored, e.g. `limits.memory`. */
  ignoreChanges?: string[];
  /** Prop paths whose changes force replacement even where a live update is possible. */
  replaceOnChanges?: string[];
  /** Delete the old object before creating its replacement (default: containers holding a static IP, networks, volumes). */
  deleteBeforeReplace?: boolean;
  /** Former names of this resource (same kind): renaming keeps the object. */
  aliases?: string[];
}

export interface ImageConfigArgs {
  env?: Record<string, string>;
  cmd?: string[];
  entrypoint?: string[];
  workdir?: string;
  user?: string;
}

/** A Dockerfile build (`docker build`): paths relative to the stack file, except `file`, which is relative to the context. */
export interface ImageBuildArgs {
  /** The build context directory (.dockerignore in it is honoured). */
  context: string;
  /** The Dockerfile; default <context>/Dockerfile. */
  file?: string;
  /** --build-arg values. */
  args?: Record<string, string>;
  /** The stage to build (default: the last). */
  target?: string;
}

/** Exactly one source: rootfs, ref, ociLayout, archive or build (paths relative to the stack file). */
export interface ImageArgs {
  /** A root filesystem directory (or .tar/.tar.gz), imported as one layer. */
  rootfs?: string;
  /** Defaults for containers of a rootfs image (like `docker import --change`). */
  config?: ImageConfigArgs;
  /** A registry reference, "host[:port]/repo[:tag]" or "...@sha256:...". */
  ref?: string;
  /**
   * "missing" (default): the image pulled first stays until the Image is replaced; "always": every plan asks
   * the registry what the tag points to now and records it as `digest`, so a moved tag is a planned replace.
   */
  pullPolicy?: "missing" | "always";
  /** The manifest digest a tag ref resolves to; filled in at plan time with pullPolicy "always", or declared to pin. */
  digest?: string;
  /** An OCI image layout directory or tar holding one image for this platform. */
  ociLayout?: string;
  /** A `docker save` archive holding one image. */
  archive?: string;
  /** Build from a Dockerfile; a change to the Dockerfile, the context's files or the args plans a replacement. */
  build?: ImageBuildArgs;
}

export interface VolumeArgs {
  labels?: Record<string, string>;
}

export interface NetworkArgs {
  /** IPv4 subnet of the bridge, e.g. "10.89.0.0/24"; default: a free /24 from 10.213.0.0/16. */
  subnet?: string;
  /** Where automatic addresses come from (a CIDR inside the subnet); static ones may lie outside it. */
  ipRange?: string;
  /** Bridge address; defaults to the first host address of the subnet. */
  gateway?: string;
  /** No route out of the network. */
  internal?: boolean;
  /** Outbound NAT (an nftables rule in cinfra's own table); the host must have net.ipv4.ip_forward=1. */
  masquerade?: boolean;
  mtu?: number;
}

export interface NetworkAttachment {
  network: Network;
  ipv4?: string;
  aliases?: string[];
}

export type MountArgs =
  | { volume: Volume; target: string; readOnly?: boolean }
  | { hostPath: string; target: string; readOnly?: boolean };

export interface ContainerLimits {
  /** Memory limit: "64Mi", "1Gi", "512m" (live-updatable). */
  memory?: string;
  /** CPU quota in cores, e.g. 0.5 (live-updatable). */
  cpus?: number;
  /** Maximum number of processes (live-updatable). */
  pids?: number;
  /** Soft memory limit (v1 memory.soft_limit_in_bytes, v2 memory.low). */
  memoryReservation?: string;
  /** Memory plus swap, Docker's meaning; -1 for unlimited swap. */
  memorySwap?: string | -1;
  /** Relative CPU weight, Docker's 2..262144 (v2: converted to cpu.weight). */
  cpuShares?: number;
  cpuset?: { cpus?: string; mems?: string };
  blkio?: { weight?: number; throttle?: { device: string; readBps?: number; writeBps?: number; readIops?: number; writeIops?: number }[] };
  /** net_cls class id (0xAAAABBBB = tc class AAAA:BBBB) tagged on the container's packets; cgroup v1 only. */
  netClassId?: number;
  /** net_prio: priority of the container's traffic per host interface, e.g. `{ eth0: 5 }`; cgroup v1 only. */
  netPriorities?: Record<string, number>;
  /** hugetlb limit per huge page size as the kernel names it, e.g. `{ "2MB": "64Mi" }` (whole pages). */
  hugepages?: Record<string, string>;
}

/** Docker's seccomp profile format (moby/profiles/seccomp): rules in order, first match wins. */
export interface SeccompProfile {
  defaultAction: SeccompAction;
  defaultErrnoRet?: number;
  /** Accepted for compatibility; cinfra compiles for x86_64 and refuses other ABIs. */
  architectures?: string[];
  archMap?: unknown[];
  syscalls?: Array<{
    names?: string[];
    name?: string;
    action: SeccompAction;
    errnoRet?: number;
    args?: Array<{ index: number; value: number; valueTwo?: number; op: "SCMP_CMP_NE" | "SCMP_CMP_LT" | "SCMP_CMP_LE" | "SCMP_CMP_EQ" | "SCMP_CMP_GE" | "SCMP_CMP_GT" | "SCMP_CMP_MASKED_EQ" }> | null;
    includes?: { caps?: string[]; arches?: string[]; minKernel?: string };
    excludes?: { caps?: string[]; arches?: string[]; minKernel?: string };
    comment?: string;
  }>;
}

export type SeccompAction = "SCMP_ACT_ALLOW" | "SCMP_ACT_ERRNO" | "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" | "SCMP_ACT_KILL_PROCESS" | "SCMP_ACT_TRAP" | "SCMP_ACT_LOG" | "SCMP_ACT_TRACE";

/** `containerId..containerId+size-1` inside is `hostId..` on the host (a line of /proc/<pid>/uid_map). */
export interface IdRange {
  containerId: number;
  hostId: number;
  size: number;
}

export interface ContainerArgs {
  image: Image;
  /** Replaces the image's Cmd. */
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string>;
  workdir?: string;
  user?: string;
  hostname?: string;
  limits?: ContainerLimits;
  networks?: Array<Network | NetworkAttachment>;
  /**
   * "none": only loopback; "host": the host's network namespace; `{ container }`: join that container's
   * network namespace (same interfaces, addresses, /etc/hosts and hostname; no ports or networks of its own).
   * Exclusive with `networks`. Replacing the other container replaces this one.
   */
  network?: "none" | "host" | { container: Container };
  /** `{ container }`: join that container's IPC namespace (SysV IPC, POSIX message queues). */
  ipc?: { container: Container };
  /**
   * `{ container }`: join that container's pid namespace (Docker's `--pid container:NAME`): its processes
   * show in `ps` and /proc here, and this one's in its. Not with `init: true`. Replacing the other
   * container replaces this one.
   */
  pid?: { container: Container };
  mounts?: MountArgs[];
  /** Restart policy applied by the container's shim with back-off (100 ms doubling up to 10 s); live-updatable. */
  restart?: "no" | "on-failure" | `on-failure:${number}` | "always" | "unless-stopped";
  /** Seconds between stopSignal and SIGKILL (default 10). */
  stopTimeout?: number;
  stopSignal?: string;
  /** Run a minimal init as PID 1 that forwards signals and reaps zombies. */
  init?: boolean;
  /** Capabilities on top of / removed from Docker's default set ("ALL" allowed). */
  capabilities?: { add?: string[]; drop?: string[] };
  /** Every capability, no seccomp filter, no masked paths: opt-in only. */
  privileged?: boolean;
  /**
   * Root inside is not root outside: "auto" maps the container's ids 0..65535 to a free host range of cinfra's
   * (from 1 000 000 up, one range per container), or give the maps (gidMap defaults to uidMap). Image files
   * appear owned as on the image (id-mapped layers); volumes and bind mounts keep their host owners.
   */
  userns?: "auto" | { uidMap: IdRange[]; gidMap?: IdRange[] };
  readOnlyRootfs?: boolean;
  /** Default true: setuid binaries cannot gain privileges. */
  noNewPrivileges?: boolean;
  /** Namespaced sysctls only (kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, net.*). */
  sysctls?: Record<string, string | number>;
  ulimits?: Partial<Record<"core" | "cpu" | "data" | "fsize" | "locks" | "memlock" | "msgqueue" | "nice" | "nofile" | "nproc" | "rss" | "rtprio" | "rttime" | "sigpending" | "stack", number | { soft: number; hard: number }>>;
  tmpfs?: Array<string | { target: string; size?: string; mode?: number }>;
  /** Size of /dev/shm (default 64Mi, as Docker). */
  shmSize?: string;
  /** Host devices to pass in (created inside and allowed in the device cgroup), e.g. "/dev/fuse". */
  devices?: Array<string | { path: string; target?: string; permissions?: string }>;
  /** Published ports: reachable on the host at hostIp:host (default 0.0.0.0), relayed to the container's port. */
  ports?: Array<{ host: number; container: number; protocol?: "tcp" | "udp"; hostIp?: string }>;
  /** Live-updatable: "stopped" stops it (keeping it), "paused" freezes it (cgroup freezer), "running" starts/thaws it. */
  desiredState?: "running" | "stopped" | "paused";
  /**
   * "default" (cinfra's default filter), "unconfined", or a profile in Docker's JSON format (the object, e.g.
   * `JSON.parse(readFileSync("./seccomp.json", "utf8"))`, or its text), compiled for x86_64.
   */
  seccomp?: "default" | "unconfined" | SeccompProfile | string;
}

export type { Container };
