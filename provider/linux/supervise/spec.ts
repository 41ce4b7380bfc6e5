/**
 * The spec the native helper executes, and the container defaults it is built from. Policy lives
 * here, in TypeScript: which filesystems a container gets, which device nodes, which namespaces.
 */
import { ValidationError } from "../../../core/errors.js";
import {
  CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS,
  MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_STRICTATIME,
} from "../sys/constants.js";

export interface MountSpec {
  source: string;
  /** Absolute on the host for premounts; inside the new root for mounts. */
  target: string;
  fstype: string;
  flags: number;
  data: string;
}

export interface DeviceSpec {
  path: string;
  type: "c" | "b";
  major: number;
  minor: number;
  mode: number;
}

export type Namespace = "pid" | "mnt" | "uts" | "ipc" | "net" | "cgroup";

export interface ContainerSpec {
  id: string;
  stateDir: string;
  rootfs: string;
  premounts: MountSpec[];
  mounts: MountSpec[];
  devices: DeviceSpec[];
  symlinks: { target: string; linkpath: string }[];
  namespaces: Namespace[];
  netnsPath?: string;
  /** Another container's IPC namespace to join (then "ipc" is not in namespaces). */
  ipcnsPath?: string;
  /**
   * Another container's state dir whose pid namespace to join (then "pid" is not in namespaces). The shim
   * reads the owner's current pid from there at every start, so a restart joins the owner's live namespace.
   */
  pidnsOwner?: string;
  hostname?: string;
  cgroupProcs: string[];
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  stdoutPath: string;
  stderrPath: string;
  init: boolean;
  /** Security (all decided by provider/linux/security): capability mask, no_new_privs, paths, limits, filter. */
  capabilities?: bigint;
  noNewPrivileges?: boolean;
  readonlyRootfs?: boolean;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  rlimits?: { resource: number; soft: number; hard: number }[];
  sysctls?: Record<string, string>;
  seccomp?: Buffer;
  /** User namespace maps (inside, host, size) and the image layers to mount id-mapped through them. */
  uidMap?: { containerId: number; hostId: number; size: number }[];
  gidMap?: { containerId: number; hostId: number; size: number }[];
  idmaps?: { source: string; target: string }[];
}

const NS_FLAGS: Record<Namespace, number> = {
  pid: CLONE_NEWPID, mnt: CLONE_NEWNS, uts: CLONE_NEWUTS, ipc: CLONE_NEWIPC, net: CLONE_NEWNET, cgroup: CLONE_NEWCGROUP,
};

/** The filesystems every container gets (Docker's set, minus the cgroup mount for now). */
export function defaultContainerMounts(shmBytes = 64 * 2 ** 20): MountSpec[] {
  const nosuid = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  return [
    { source: "proc", target: "/proc", fstype: "proc", flags: nosuid, data: "" },
    { source: "tmpfs", target: "/dev", fstype: "tmpfs", flags: MS_NOSUID | MS_STRICTATIME, data: "mode=755,size=65536k" },
    { source: "devpts", target: "/dev/pts", fstype: "devpts", flags: MS_NOSUID | MS_NOEXEC, data: "newinstance,ptmxmode=0666,mode=0620" },
    { source: "shm", target: "/dev/shm", fstype: "tmpfs", flags: nosuid, data: `mode=1777,size=${shmBytes}` },
    { source: "mqueue", target: "/dev/mqueue", fstype: "mqueue", flags: nosuid, data: "" },
    { source: "sysfs", target: "/sys", fstype: "sysfs", flags: nosuid | MS_RDONLY, data: "" },
  ];
}

export function defaultDevices(): { devices: DeviceSpec[]; symlinks: { target: string; linkpath: string }[] } {
  const char = (path: string, major: number, minor: number): DeviceSpec => ({ path, type: "c", major, minor, mode: 0o666 });
  return {
    devices: [char("/dev/null", 1, 3), char("/dev/zero", 1, 5), char("/dev/full", 1, 7), char("/dev/random", 1, 8),
      char("/dev/urandom", 1, 9), char("/dev/tty", 5, 0)],
    symlinks: [
      { target: "pts/ptmx", linkpath: "/dev/ptmx" }, { target: "/proc/self/fd", linkpath: "/dev/fd" },
      { target: "/proc/self/fd/0", linkpath: "/dev/stdin" }, { target: "/proc/self/fd/1", linkpath: "/dev/stdout" },
      { target: "/proc/self/fd/2", linkpath: "/dev/stderr" },
    ],
  };
}

/**
 * NUL-separated tokens: a key, then the fixed number of values that key takes (native/spec.c knows the
 * same arities). Any byte but NUL may appear in a value, so paths, args and env pass through untouched.
 */
export function encodeSpec(spec: ContainerSpec): Buffer {
  const tokens: string[] = [];
  const put = (key: string, ...values: (string | number)[]) => {
    for (const v of values) {
      if (String(v).includes("\0")) throw new ValidationError(`container ${spec.id}: ${key}`, "contains a NUL byte");
    }
    tokens.push(key, ...values.map(String));
  };
  put("id", spec.id);
  put("state", spec.stateDir);
  put("rootfs", spec.rootfs);
  put("ns", spec.namespaces.reduce((flags, ns) => flags | NS_FLAGS[ns], 0));
  if (spec.netnsPath) put("netns", spec.netnsPath);
  if (spec.ipcnsPath) put("ipcns", spec.ipcnsPath);
  if (spec.pidnsOwner) put("pidns", spec.pidnsOwner);
  if (spec.hostname) put("hostname", spec.hostname);
  for (const m of spec.premounts) put("premount", m.source, m.target, m.fstype, m.flags, m.data);
  for (const m of spec.mounts) put("mount", m.source, m.target, m.fstype, m.flags, m.data);
  for (const d of spec.devices) put("dev", d.path, d.type, d.major, d.minor, d.mode);
  for (const l of spec.symlinks) put("symlink", l.target, l.linkpath);
  for (const c of spec.cgroupProcs) put("cgroup", c);
  for (const a of spec.args) put("arg", a);
  for (const e of spec.env) put("env", e);
  put("cwd", spec.cwd);
  put("uid", spec.uid);
  put("gid", spec.gid);
  for (const g of spec.additionalGids) put("group", g);
  put("stdout", spec.stdoutPath);
  put("stderr", spec.stderrPath);
  put("init", spec.init ? 1 : 0);
  if (spec.capabilities !== undefined) put("caps", spec.capabilities.toString());
  if (spec.noNewPrivileges) put("nnp", 1);
  if (spec.readonlyRootfs) put("rootro", 1);
  for (const path of spec.maskedPaths ?? []) put("mask", path);
  for (const path of spec.readonlyPaths ?? []) put("ro", path);
  for (const r of spec.rlimits ?? []) put("rlimit", r.resource, r.soft, r.hard);
  for (const [key, value] of Object.entries(spec.sysctls ?? {})) put("sysctl", key, value);
  if (spec.seccomp?.length) put("seccomp", spec.seccomp.toString("hex"));
  for (const r of spec.uidMap ?? []) put("uidmap", r.containerId, r.hostId, r.size);
  for (const r of spec.gidMap ?? []) put("gidmap", r.containerId, r.hostId, r.size);
  for (const m of spec.idmaps ?? []) put("idmap", m.source, m.target);
  return Buffer.from(`${tokens.join("\0")}\0`);
}
