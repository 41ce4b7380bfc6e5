import { BpfProgram, JEQ, JSET, RET_ALLOW, retErrno, x86_64Prelude } from "./bpf-program.js";
import { SYSCALLS_X86_64 as NR } from "./syscall-table-x86_64.js";

/**
 * cinfra's default seccomp filter for x86_64, built as classic BPF here (the native helper only
 * installs it). Like Docker's default profile it refuses what a container must never do to the host
 * kernel — modules, kexec, mount APIs, keyrings, new user namespaces, clock changes, bpf, perf,
 * reboot, swap, handle-based opens — unless the matching capability was granted; other architectures'
 * syscalls (and the x32 ABI) are refused outright. It is a deny list, not Docker's allow list: a syscall
 * added by a newer kernel is allowed until listed here.
 */
const DENIED = [
  "keyctl", "add_key", "request_key", "mount", "umount2", "pivot_root", "init_module", "finit_module",
  "delete_module", "kexec_load", "kexec_file_load", "bpf", "perf_event_open", "reboot", "swapon", "swapoff", "acct",
  "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "open_by_handle_at", "name_to_handle_at",
  "userfaultfd", "lookup_dcookie", "quotactl", "iopl", "ioperm", "setns", "syslog", "vhangup", "nfsservctl",
  "uselib", "ustat", "sysfs", "_sysctl", "get_kernel_syms", "query_module", "create_module", "fsopen", "fsconfig",
  "fsmount", "move_mount", "open_tree", "fspick", "mount_setattr",
];

/** Which capability makes a syscall group legitimate again (Docker's "includes: caps" rules). */
const ALLOWED_BY: Record<string, string[]> = {
  SYS_ADMIN: ["mount", "umount2", "pivot_root", "setns", "quotactl", "lookup_dcookie", "fsopen", "fsconfig", "fsmount",
    "move_mount", "open_tree", "fspick", "mount_setattr", "bpf", "perf_event_open"],
  SYS_MODULE: ["init_module", "finit_module", "delete_module"],
  SYS_BOOT: ["reboot", "kexec_load", "kexec_file_load"],
  SYS_TIME: ["settimeofday", "clock_settime", "clock_adjtime", "adjtimex"],
  SYS_PACCT: ["acct"],
  SYS_RAWIO: ["iopl", "ioperm"],
  SYSLOG: ["syslog"],
  SYS_TTY_CONFIG: ["vhangup"],
  DAC_READ_SEARCH: ["open_by_handle_at", "name_to_handle_at"],
};

const CLONE_NEWUSER = 0x10000000;
const EPERM = 1;
const ENOSYS = 38;

export function defaultSeccompFilter(capabilities: readonly string[]): Buffer {
  const allowed = new Set(capabilities.flatMap((cap) => ALLOWED_BY[cap] ?? []));
  const p = x86_64Prelude(new BpfProgram());
  const [notClone3, cloneFlags, allow] = ["not-clone3", "clone-flags", "allow"].map((l) => p.fresh(l));
  // glibc falls back to clone(2), whose flags can be inspected
  p.emit(JEQ, NR.clone3, 0, notClone3).ret(retErrno(ENOSYS)).label(notClone3);
  for (const name of DENIED.filter((n) => !allowed.has(n))) {
    const next = p.fresh("next");
    p.emit(JEQ, NR[name], 0, next).ret(retErrno(EPERM)).label(next);
  }
  // clone/unshare: refuse a new user namespace (it would hand back every capability inside it).
  p.emit(JEQ, NR.clone, cloneFlags, 0).emit(JEQ, NR.unshare, 0, allow).label(cloneFlags);
  p.load(16).emit(JSET, CLONE_NEWUSER, 0, allow).ret(retErrno(EPERM)); // args[0], low 32 bits (little endian)
  return p.label(allow).ret(RET_ALLOW).encode();
}
