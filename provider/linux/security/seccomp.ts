/**
 * cinfra's default seccomp filter for x86_64, built as classic BPF here (the native helper only
 * installs it). Like Docker's default profile it refuses what a container must never do to the host
 * kernel — modules, kexec, mount APIs, keyrings, new user namespaces, clock changes, bpf, perf,
 * reboot, swap, handle-based opens — unless the matching capability was granted; other architectures'
 * syscalls (and the x32 ABI) are refused outright. It is a deny list, not Docker's allow list: a syscall
 * added by a newer kernel is allowed until listed here.
 */
const SYSCALLS: Record<string, number> = {
  keyctl: 250, add_key: 248, request_key: 249, mount: 165, umount2: 166, pivot_root: 155, init_module: 175, finit_module: 313,
  delete_module: 176, kexec_load: 246, kexec_file_load: 320, bpf: 321, perf_event_open: 298, reboot: 169, swapon: 167,
  swapoff: 168, acct: 163, settimeofday: 164, clock_settime: 227, clock_adjtime: 305, adjtimex: 159, open_by_handle_at: 304,
  name_to_handle_at: 303, userfaultfd: 323, lookup_dcookie: 212, quotactl: 179, iopl: 172, ioperm: 173, setns: 308,
  syslog: 103, vhangup: 153, nfsservctl: 180, uselib: 134, ustat: 136, sysfs: 139, _sysctl: 156, get_kernel_syms: 177,
  query_module: 178, create_module: 174, fsopen: 430, fsconfig: 431, fsmount: 432, move_mount: 429, open_tree: 428,
  fspick: 433, mount_setattr: 442,
};
const CLONE = 56;
const UNSHARE = 272;
const CLONE3 = 435;

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

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;
const CLONE_NEWUSER = 0x10000000;
const RET_ALLOW = 0x7fff0000;
const RET_KILL_PROCESS = 0x80000000;
const retErrno = (errno: number) => 0x00050000 | errno;
const EPERM = 1;
const ENOSYS = 38;

const LD_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
const JEQ = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JGE = 0x35; // BPF_JMP | BPF_JGE | BPF_K
const JSET = 0x45; // BPF_JMP | BPF_JSET | BPF_K
const RET = 0x06; // BPF_RET | BPF_K

type Insn = [code: number, jt: number, jf: number, k: number];

export function defaultSeccompFilter(capabilities: readonly string[]): Buffer {
  const allowed = new Set(capabilities.flatMap((cap) => ALLOWED_BY[cap] ?? []));
  const denied = Object.entries(SYSCALLS).filter(([name]) => !allowed.has(name)).map(([, nr]) => nr);
  const p: Insn[] = [
    [LD_ABS, 0, 0, 4], // arch
    [JEQ, 1, 0, AUDIT_ARCH_X86_64],
    [RET, 0, 0, RET_KILL_PROCESS],
    [LD_ABS, 0, 0, 0], // syscall number
    [JGE, 0, 1, X32_SYSCALL_BIT],
    [RET, 0, 0, retErrno(ENOSYS)],
    [JEQ, 0, 1, CLONE3], // glibc falls back to clone(2), whose flags can be inspected
    [RET, 0, 0, retErrno(ENOSYS)],
  ];
  for (const nr of denied) p.push([JEQ, 0, 1, nr], [RET, 0, 0, retErrno(EPERM)]);
  // clone/unshare: refuse a new user namespace (it would hand back every capability inside it).
  p.push(
    [JEQ, 1, 0, CLONE],
    [JEQ, 0, 3, UNSHARE],
    [LD_ABS, 0, 0, 16], // args[0], low 32 bits (little endian)
    [JSET, 0, 1, CLONE_NEWUSER],
    [RET, 0, 0, retErrno(EPERM)],
    [RET, 0, 0, RET_ALLOW],
  );
  const out = Buffer.alloc(p.length * 8);
  p.forEach(([code, jt, jf, k], i) => {
    out.writeUInt16LE(code, i * 8);
    out.writeUInt8(jt, i * 8 + 2);
    out.writeUInt8(jf, i * 8 + 3);
    out.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return out;
}
