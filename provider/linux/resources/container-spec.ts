/**
 * The container's spec for the native helper: rootfs overlay, mounts (defaults, volumes, bind
 * mounts, the managed /etc files), namespaces, cgroups to join, process settings. Pure policy.
 */
import { RuntimeError } from "../../../core/errors.js";
import { join } from "node:path";
import { MS_BIND, MS_NODEV, MS_NOSUID, MS_RDONLY, MS_REC } from "../sys/constants.js";
import { parseSize } from "../../../core/model/units.js";
import { capabilityMask, effectiveCapabilities } from "../security/capabilities.js";
import { MASKED_PATHS, READONLY_PATHS, RLIMIT } from "../security/defaults.js";
import { defaultSeccompFilter } from "../security/seccomp.js";
import { compileSeccompProfile } from "../security/seccomp-profile.js";
import { defaultContainerMounts, defaultDevices, type ContainerSpec, type DeviceSpec, type MountSpec } from "../supervise/spec.js";
import type { ContainerInputs } from "./container-inputs.js";
import type { Urn } from "../../../core/model/types.js";
import type { ContainerPaths } from "./container-paths.js";
import type { SharedNamespaces } from "./container-sharing.js";
import type { UsernsMaps } from "./userns.js";

export interface SpecInput {
  id: string;
  paths: ContainerPaths;
  lowerDirs: string[];
  hostname: string;
  user: { uid: number; gid: number };
  inputs: ContainerInputs;
  args: string[];
  env: string[];
  cwd: string;
  cgroupProcs: string[];
  /** Mountpoint of a volume resource by urn. */
  volumes: (urn: Urn) => string | undefined;
  /** Host devices passed in, created inside after the default ones. */
  devices: DeviceSpec[];
  /** Namespaces joined rather than created (container-sharing.ts). */
  shared: SharedNamespaces;
  /** Resolved `userns` maps (userns.ts), when the container's root is remapped. */
  userns?: UsernsMaps;
}

function bind(source: string, target: string, readOnly = false): MountSpec {
  return { source, target, fstype: "", flags: MS_BIND | MS_REC | (readOnly ? MS_RDONLY : 0), data: "" };
}

export function buildSpec(input: SpecInput): ContainerSpec {
  const { paths, inputs, shared } = input;
  // A joined network namespace comes with its owner's /etc files, as Docker's container mode does.
  const netFiles = shared.net.kind === "joined" ? shared.net.owner : paths;
  const userMounts = (inputs.mounts ?? []).map((m) => {
    const source = m.volume ? input.volumes(m.volume.$ref) : m.hostPath;
    if (!source) throw new RuntimeError("VOLUME_MISSING", `volume ${m.volume?.$ref} has no mountpoint on this host`);
    return bind(source, m.target, m.readOnly);
  });
  const idmaps = input.userns ? input.lowerDirs.map((source, i) => ({ source, target: join(paths.idmapped, String(i)) })) : [];
  const lowerDirs = input.userns ? idmaps.map((m) => m.target) : input.lowerDirs;
  const security = securitySpec(inputs);
  return {
    id: input.id,
    stateDir: paths.stateDir,
    rootfs: paths.rootfs,
    premounts: [{
      source: "overlay", target: paths.rootfs, fstype: "overlay", flags: 0,
      data: `lowerdir=${lowerDirs.join(":")},upperdir=${paths.upper},workdir=${paths.work}`,
    }],
    mounts: [
      ...defaultContainerMounts(inputs.shmSize ? parseSize(inputs.shmSize)! : undefined),
      bind(netFiles.hosts, "/etc/hosts"),
      bind(netFiles.hostname, "/etc/hostname"),
      bind(netFiles.resolv, "/etc/resolv.conf"),
      ...userMounts,
      ...(inputs.tmpfs ?? []).map(tmpfsMount),
    ],
    devices: [...defaultDevices().devices, ...input.devices],
    symlinks: defaultDevices().symlinks,
    namespaces: (["pid", "mnt", "uts", "ipc", "cgroup"] as const).filter((ns) =>
      !(ns === "ipc" && shared.ipcnsPath) && !(ns === "pid" && shared.pidnsOwner)),
    netnsPath: shared.net.kind === "host" ? undefined : shared.net.kind === "joined" ? shared.net.netnsPath : paths.netns,
    ipcnsPath: shared.ipcnsPath,
    pidnsOwner: shared.pidnsOwner,
    hostname: input.hostname,
    cgroupProcs: input.cgroupProcs,
    args: input.args,
    env: input.env,
    cwd: input.cwd,
    uid: input.user.uid,
    gid: input.user.gid,
    additionalGids: [],
    stdoutPath: paths.log,
    stderrPath: paths.log,
    init: inputs.init ?? false,
    ...security,
    ...(input.userns && {
      uidMap: input.userns.uidMap, gidMap: input.userns.gidMap, idmaps,
      // Root inside holds no capability over the host-owned network namespace: let it bind ports below
      // 1024 anyway (Docker sets the same for every container), unless the user decided otherwise.
      sysctls: shared.net.kind === "own"
        ? { "net.ipv4.ip_unprivileged_port_start": "0", ...security.sysctls }
        : security.sysctls,
    }),
  };
}

/** Docker-equivalent defaults, loosened only by what the container declares (privileged is opt-in). */
function securitySpec(inputs: ContainerInputs): Partial<ContainerSpec> {
  const privileged = inputs.privileged ?? false;
  const caps = effectiveCapabilities({ ...inputs.capabilities, privileged });
  const unconfined = privileged || inputs.seccomp === "unconfined";
  return {
    capabilities: capabilityMask(caps),
    noNewPrivileges: inputs.noNewPrivileges ?? true,
    readonlyRootfs: inputs.readOnlyRootfs ?? false,
    maskedPaths: privileged ? [] : MASKED_PATHS,
    readonlyPaths: privileged ? [] : READONLY_PATHS,
    rlimits: Object.entries(inputs.ulimits ?? {}).map(([name, l]) => ({ resource: RLIMIT[name], soft: l.soft, hard: l.hard })),
    sysctls: inputs.sysctls,
    seccomp: unconfined ? undefined
      : typeof inputs.seccomp === "object" ? compileSeccompProfile(inputs.seccomp, caps) : defaultSeccompFilter(caps),
  };
}

function tmpfsMount(t: { target: string; size?: string; mode?: number }): MountSpec {
  const data = [`mode=${(t.mode ?? 0o1777).toString(8)}`, ...(t.size ? [`size=${parseSize(t.size)}`] : [])].join(",");
  return { source: "tmpfs", target: t.target, fstype: "tmpfs", flags: MS_NOSUID | MS_NODEV, data };
}

