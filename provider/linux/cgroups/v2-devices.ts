/**
 * cgroup v2 has no devices.allow file: the allow-list is a BPF_PROG_TYPE_CGROUP_DEVICE program attached
 * to the container's cgroup with BPF_PROG_ATTACH (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, so programs a
 * parent holds keep running too: an access must pass all of them). Node holds no fd longer than one call:
 * once attached, the cgroup keeps the program alive; detaching (or removing the cgroup) frees it.
 */
import { closeSync, constants, existsSync, openSync } from "node:fs";
import { createHash } from "node:crypto";
import type { BpfProgramInfo, BpfSyscalls } from "../sys/bpf-syscalls.js";
import { allowsEverything, deviceProgram, parseDeviceRule } from "./device-program.js";

const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
const BPF_CGROUP_DEVICE = 6;
const BPF_F_ALLOW_MULTI = 2;
const PROGRAM_NAME = "cinfra_devices";

export interface DeviceGuard {
  /** Attach the program `rules` compile to (none when they allow everything), replacing earlier ones; idempotent. */
  apply(dir: string, rules: string[]): void;
  /** The device programs attached to the cgroup itself (not those inherited from its parents). */
  attached(dir: string): BpfProgramInfo[];
  /** True when exactly the program `rules` compile to is attached (or none, when they allow everything). */
  holds(dir: string, rules: string[]): boolean;
  /** Detach every device program of the cgroup (before its removal); idempotent. */
  remove(dir: string): void;
}

/** The kernel's program tag: the first 8 bytes of SHA-256 of the instructions since 6.18, SHA-1 before. */
const tagsOf = (insns: Buffer) => ["sha256", "sha1"].map((h) => createHash(h).update(insns).digest("hex").slice(0, 16));

/** What the rules compile to: null when nothing is to be enforced. */
function compile(rules: string[]): Buffer | null {
  const parsed = rules.map((rule, i) => parseDeviceRule(rule, i));
  return allowsEverything(parsed) ? null : deviceProgram(parsed);
}

/** Run `use` with `fd`, closed right after. */
function withFd<T>(fd: number, use: (fd: number) => T): T {
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

export function bpfDeviceGuard(bpf: () => BpfSyscalls): DeviceGuard {
  const withDir = <T>(dir: string, use: (fd: number) => T): T => withFd(openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY), use);
  /** Run `use` with a fd of the program `id`. */
  const withProgram = <T>(id: number, use: (fd: number) => T): T => withFd(bpf().progGetFdById(id), use);

  const infos = (cgroup: number) => bpf().progQuery(cgroup, BPF_CGROUP_DEVICE).map((id) => withProgram(id, (fd) => bpf().progInfo(fd)));
  const detach = (cgroup: number, id: number) => withProgram(id, (fd) => bpf().progDetach(cgroup, fd, BPF_CGROUP_DEVICE));

  return {
    apply(dir, rules) {
      const insns = compile(rules);
      withDir(dir, (cgroup) => {
        const before = infos(cgroup);
        if (insns === null) return before.forEach((p) => detach(cgroup, p.id));
        const tags = tagsOf(insns);
        if (before.length === 1 && tags.includes(before[0].tag)) return;
        // The new program first, then the old ones out: the cgroup is never without a guard.
        const prog = bpf().progLoad({ type: BPF_PROG_TYPE_CGROUP_DEVICE, insns, license: "Apache-2.0", expectedAttachType: BPF_CGROUP_DEVICE, name: PROGRAM_NAME });
        try {
          bpf().progAttach(cgroup, prog, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI);
        } finally {
          closeSync(prog);
        }
        before.forEach((p) => detach(cgroup, p.id));
      });
    },
    attached(dir) {
      return withDir(dir, infos);
    },
    holds(dir, rules) {
      const insns = compile(rules);
      const now = this.attached(dir);
      if (insns === null) return now.length === 0;
      return now.length === 1 && tagsOf(insns).includes(now[0].tag);
    },
    remove(dir) {
      if (!existsSync(dir)) return;
      withDir(dir, (cgroup) => infos(cgroup).forEach((p) => detach(cgroup, p.id)));
    },
  };
}
