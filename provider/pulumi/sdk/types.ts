// Generated from provider/pulumi/schema.json by provider/pulumi/codegen/generate-sdk.ts: do not edit.
import type * as pulumi from "@pulumi/pulumi";

/** Defaults for containers of this image (like `docker import --change`). */
export interface ImageConfigArgs {
  env?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
  cmd?: pulumi.Input<pulumi.Input<string>[]>;
  entrypoint?: pulumi.Input<pulumi.Input<string>[]>;
  workdir?: pulumi.Input<string>;
  user?: pulumi.Input<string>;
}

/** Defaults for containers of this image (like `docker import --change`). */
export interface ImageConfig {
  env?: { [key: string]: string };
  cmd?: string[];
  entrypoint?: string[];
  workdir?: string;
  user?: string;
}

/** A Dockerfile build: RUN steps run in containers on cinfra's runtime; steps are cached. */
export interface ImageBuildArgs {
  /** Absolute path of the build context (.dockerignore honoured). */
  context: pulumi.Input<string>;
  /** Absolute path of the Dockerfile (default <context>/Dockerfile). */
  file?: pulumi.Input<string>;
  /** Build args. */
  args?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
  /** The stage to build (default: the last). */
  target?: pulumi.Input<string>;
  /** Digest of the build's inputs (the CLI computes it at plan time). */
  inputDigest?: pulumi.Input<string>;
}

/** A Dockerfile build: RUN steps run in containers on cinfra's runtime; steps are cached. */
export interface ImageBuild {
  /** Absolute path of the build context (.dockerignore honoured). */
  context: string;
  /** Absolute path of the Dockerfile (default <context>/Dockerfile). */
  file?: string;
  /** Build args. */
  args?: { [key: string]: string };
  /** The stage to build (default: the last). */
  target?: string;
  /** Digest of the build's inputs (the CLI computes it at plan time). */
  inputDigest?: string;
}

/** cgroup limits, all live-updatable. */
export interface ContainerLimitsArgs {
  /** Memory limit: "64Mi", "1Gi", "512m". */
  memory?: pulumi.Input<string>;
  /** Soft memory limit (v1 memory.soft_limit_in_bytes, v2 memory.low). */
  memoryReservation?: pulumi.Input<string>;
  /** Memory plus swap, Docker's meaning; -1 for unlimited swap. */
  memorySwap?: pulumi.Input<string | number>;
  /** CPU quota in cores, e.g. 0.5. */
  cpus?: pulumi.Input<number>;
  /** Relative CPU weight, Docker's 2..262144. */
  cpuShares?: pulumi.Input<number>;
  cpuset?: pulumi.Input<CpusetArgs>;
  /** Maximum number of processes. */
  pids?: pulumi.Input<number>;
  blkio?: pulumi.Input<BlkioArgs>;
  /** net_cls class id (0xAAAABBBB = tc class AAAA:BBBB); cgroup v1 only. */
  netClassId?: pulumi.Input<number>;
  /** net_prio priority per host interface, e.g. { eth0: 5 }; cgroup v1 only. */
  netPriorities?: pulumi.Input<{ [key: string]: pulumi.Input<number> }>;
  /** hugetlb limit per huge page size, e.g. { "2MB": "64Mi" } (whole pages). */
  hugepages?: pulumi.Input<{ [key: string]: pulumi.Input<string> }>;
}

/** cgroup limits, all live-updatable. */
export interface ContainerLimits {
  /** Memory limit: "64Mi", "1Gi", "512m". */
  memory?: string;
  /** Soft memory limit (v1 memory.soft_limit_in_bytes, v2 memory.low). */
  memoryReservation?: string;
  /** Memory plus swap, Docker's meaning; -1 for unlimited swap. */
  memorySwap?: string | number;
  /** CPU quota in cores, e.g. 0.5. */
  cpus?: number;
  /** Relative CPU weight, Docker's 2..262144. */
  cpuShares?: number;
  cpuset?: Cpuset;
  /** Maximum number of processes. */
  pids?: number;
  blkio?: Blkio;
  /** net_cls class id (0xAAAABBBB = tc class AAAA:BBBB); cgroup v1 only. */
  netClassId?: number;
  /** net_prio priority per host interface, e.g. { eth0: 5 }; cgroup v1 only. */
  netPriorities?: { [key: string]: number };
  /** hugetlb limit per huge page size, e.g. { "2MB": "64Mi" } (whole pages). */
  hugepages?: { [key: string]: string };
}

export interface CpusetArgs {
  /** CPU list like "0-1,3". */
  cpus?: pulumi.Input<string>;
  /** Memory node list like "0". */
  mems?: pulumi.Input<string>;
}

export interface Cpuset {
  /** CPU list like "0-1,3". */
  cpus?: string;
  /** Memory node list like "0". */
  mems?: string;
}

export interface BlkioArgs {
  /** 10..1000. */
  weight?: pulumi.Input<number>;
  throttle?: pulumi.Input<pulumi.Input<BlkioThrottleArgs>[]>;
}

export interface Blkio {
  /** 10..1000. */
  weight?: number;
  throttle?: BlkioThrottle[];
}

export interface BlkioThrottleArgs {
  /** A block device as "major:minor". */
  device: pulumi.Input<string>;
  readBps?: pulumi.Input<number>;
  writeBps?: pulumi.Input<number>;
  readIops?: pulumi.Input<number>;
  writeIops?: pulumi.Input<number>;
}

export interface BlkioThrottle {
  /** A block device as "major:minor". */
  device: string;
  readBps?: number;
  writeBps?: number;
  readIops?: number;
  writeIops?: number;
}

export interface NetworkAttachmentArgs {
  /** The id of a cinfra Network. */
  network: pulumi.Input<string>;
  /** Static address inside the network's subnet. */
  ipv4?: pulumi.Input<string>;
  /** DNS names of the container on this network. */
  aliases?: pulumi.Input<pulumi.Input<string>[]>;
}

export interface NetworkAttachment {
  /** The id of a cinfra Network. */
  network: string;
  /** Static address inside the network's subnet. */
  ipv4?: string;
  /** DNS names of the container on this network. */
  aliases?: string[];
}

/** Exactly one of volume or hostPath. */
export interface MountArgs {
  /** The id of a cinfra Volume. */
  volume?: pulumi.Input<string>;
  /** An absolute host path to bind. */
  hostPath?: pulumi.Input<string>;
  /** Absolute path inside the container. */
  target: pulumi.Input<string>;
  readOnly?: pulumi.Input<boolean>;
}

/** Exactly one of volume or hostPath. */
export interface Mount {
  /** The id of a cinfra Volume. */
  volume?: string;
  /** An absolute host path to bind. */
  hostPath?: string;
  /** Absolute path inside the container. */
  target: string;
  readOnly?: boolean;
}

export interface PortArgs {
  host: pulumi.Input<number>;
  container: pulumi.Input<number>;
  /** "tcp" (default) or "udp". */
  protocol?: pulumi.Input<string>;
  /** Host address to listen on (default 0.0.0.0). */
  hostIp?: pulumi.Input<string>;
}

export interface Port {
  host: number;
  container: number;
  /** "tcp" (default) or "udp". */
  protocol?: string;
  /** Host address to listen on (default 0.0.0.0). */
  hostIp?: string;
}

/** Capabilities on top of / removed from Docker's default set ("ALL" allowed). */
export interface CapabilitiesArgs {
  add?: pulumi.Input<pulumi.Input<string>[]>;
  drop?: pulumi.Input<pulumi.Input<string>[]>;
}

/** Capabilities on top of / removed from Docker's default set ("ALL" allowed). */
export interface Capabilities {
  add?: string[];
  drop?: string[];
}

export interface UlimitArgs {
  soft: pulumi.Input<number>;
  hard: pulumi.Input<number>;
}

export interface Ulimit {
  soft: number;
  hard: number;
}

export interface TmpfsArgs {
  target: pulumi.Input<string>;
  size?: pulumi.Input<string>;
  mode?: pulumi.Input<number>;
}

export interface Tmpfs {
  target: string;
  size?: string;
  mode?: number;
}

/** containerId..containerId+size-1 inside is hostId.. on the host (a line of /proc/<pid>/uid_map). */
export interface IdRangeArgs {
  containerId: pulumi.Input<number>;
  hostId: pulumi.Input<number>;
  size: pulumi.Input<number>;
}

/** containerId..containerId+size-1 inside is hostId.. on the host (a line of /proc/<pid>/uid_map). */
export interface IdRange {
  containerId: number;
  hostId: number;
  size: number;
}

export interface UsernsMapsArgs {
  uidMap: pulumi.Input<pulumi.Input<IdRangeArgs>[]>;
  /** Default: uidMap. */
  gidMap?: pulumi.Input<pulumi.Input<IdRangeArgs>[]>;
}

export interface UsernsMaps {
  uidMap: IdRange[];
  /** Default: uidMap. */
  gidMap?: IdRange[];
}

export interface DeviceArgs {
  /** A host device under /dev. */
  path: pulumi.Input<string>;
  /** Its path inside the container (default: the same). */
  target?: pulumi.Input<string>;
  /** A subset of "rwm". */
  permissions?: pulumi.Input<string>;
}

export interface Device {
  /** A host device under /dev. */
  path: string;
  /** Its path inside the container (default: the same). */
  target?: string;
  /** A subset of "rwm". */
  permissions?: string;
}
