/**
 * The container's spec for the native helper: rootfs overlay, mounts (defaults, volumes, bind
 * mounts, the managed /etc files), namespaces, cgroups to join, process settings. Pure policy.
 */
import { RuntimeError } from "../../../core/errors.js";
import { MS_BIND, MS_RDONLY, MS_REC } from "../sys/constants.js";
import { defaultContainerMounts, defaultDevices, type ContainerSpec, type MountSpec } from "../supervise/spec.js";
import type { ContainerInputs } from "./container-inputs.js";
import type { Urn } from "../../../core/model/types.js";
import type { ContainerPaths } from "./container-paths.js";

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
}

function bind(source: string, target: string, readOnly = false): MountSpec {
  return { source, target, fstype: "", flags: MS_BIND | MS_REC | (readOnly ? MS_RDONLY : 0), data: "" };
}

export function buildSpec(input: SpecInput): ContainerSpec {
  const { paths, inputs } = input;
  const userMounts = (inputs.mounts ?? []).map((m) => {
    const source = m.volume ? input.volumes(m.volume.$ref) : m.hostPath;
    if (!source) throw new RuntimeError("VOLUME_MISSING", `volume ${m.volume?.$ref} has no mountpoint on this host`);
    return bind(source, m.target, m.readOnly);
  });
  return {
    id: input.id,
    stateDir: paths.stateDir,
    rootfs: paths.rootfs,
    premounts: [{
      source: "overlay", target: paths.rootfs, fstype: "overlay", flags: 0,
      data: `lowerdir=${input.lowerDirs.join(":")},upperdir=${paths.upper},workdir=${paths.work}`,
    }],
    mounts: [
      ...defaultContainerMounts(),
      bind(paths.hosts, "/etc/hosts"),
      bind(paths.hostname, "/etc/hostname"),
      bind(paths.resolv, "/etc/resolv.conf"),
      ...userMounts,
    ],
    devices: defaultDevices().devices,
    symlinks: defaultDevices().symlinks,
    namespaces: ["pid", "mnt", "uts", "ipc", "cgroup"],
    netnsPath: paths.netns,
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
  };
}

