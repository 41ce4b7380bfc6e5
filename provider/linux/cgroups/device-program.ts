/**
 * The cgroup v2 device allow-list: the rule strings the v1 devices controller takes ("c 1:3 rwm",
 * "b *:* m", "a") compiled into a BPF_PROG_TYPE_CGROUP_DEVICE program (runc's and crun's approach).
 * Default deny: the program returns 1 (allow) for the first rule that covers the whole request, else 0,
 * and the kernel answers EPERM. Its context is struct bpf_cgroup_dev_ctx (linux/bpf.h):
 *   u32 access_type  = (BPF_DEVCG_ACC_* << 16) | BPF_DEVCG_DEV_*
 *   u32 major, minor
 */
import { ValidationError } from "../../../core/errors.js";
import { EbpfProgram } from "../security/ebpf-program.js";

export const DEV_BLOCK = 1; // BPF_DEVCG_DEV_BLOCK
export const DEV_CHAR = 2; // BPF_DEVCG_DEV_CHAR
export const ACC_MKNOD = 1; // BPF_DEVCG_ACC_MKNOD
export const ACC_READ = 2; // BPF_DEVCG_ACC_READ
export const ACC_WRITE = 4; // BPF_DEVCG_ACC_WRITE
const ACC_ALL = ACC_MKNOD | ACC_READ | ACC_WRITE;

export interface DeviceRule {
  type: "a" | "b" | "c";
  /** null = any ("*"). */
  major: number | null;
  minor: number | null;
  /** ACC_* bits. */
  access: number;
}

const RULE = /^([abc])(?:\s+(\*|\d+):(\*|\d+)(?:\s+([rwm]*))?)?$/;
const ACCESS_BITS: Record<string, number> = { r: ACC_READ, w: ACC_WRITE, m: ACC_MKNOD };

/** Parse v1's syntax: "<a|b|c> <major|*>:<minor|*> <subset of rwm>"; "a" alone means everything. */
export function parseDeviceRule(rule: string, index = 0): DeviceRule {
  const m = RULE.exec(rule.trim());
  const number = (text: string | undefined) => (text === undefined || text === "*" ? null : Number(text));
  const major = number(m?.[2]);
  const minor = number(m?.[3]);
  // The kernel's device numbers: 12-bit majors, 20-bit minors.
  if (!m || (major !== null && major > 0xfff) || (minor !== null && minor > 0xfffff)) {
    throw new ValidationError(`deviceRules[${index}]`, `"${rule}" is not a device rule like "c 1:3 rwm" (type a|b|c, major:minor or *, access of rwm)`);
  }
  const accessText = m[4] ?? (m[2] === undefined ? "rwm" : "");
  const access = [...accessText].reduce((bits, c) => bits | ACCESS_BITS[c], 0);
  return { type: m[1] as DeviceRule["type"], major, minor, access };
}

/** True when a rule opens every device in every way (privileged): no program is needed. */
export const allowsEverything = (rules: DeviceRule[]) => rules.some((r) => r.type === "a" && r.major === null && r.minor === null && r.access === ACC_ALL);

// Registers: r1 holds the context on entry; the request is loaded once into r2..r5.
const TYPE = 2;
const ACCESS = 3;
const MAJOR = 4;
const MINOR = 5;
const SCRATCH = 1;

/** The program's instructions (struct bpf_insn[]). */
export function deviceProgram(rules: DeviceRule[]): Buffer {
  const p = new EbpfProgram();
  p.loadWord(TYPE, 1, 0).alu32Imm("and", TYPE, 0xffff);
  p.loadWord(ACCESS, 1, 0).alu32Imm("rsh", ACCESS, 16);
  p.loadWord(MAJOR, 1, 4);
  p.loadWord(MINOR, 1, 8);
  for (const rule of rules) {
    if (rule.access === 0) continue; // allows nothing
    const next = p.fresh("next");
    if (rule.type !== "a") p.jumpImm("jne", TYPE, rule.type === "b" ? DEV_BLOCK : DEV_CHAR, next);
    if (rule.access !== ACC_ALL) {
      // Every requested bit must be allowed: (access & allowed) == access.
      p.alu32Reg("mov", SCRATCH, ACCESS).alu32Imm("and", SCRATCH, rule.access).jumpReg("jne", SCRATCH, ACCESS, next);
    }
    if (rule.major !== null) p.jumpImm("jne", MAJOR, rule.major, next);
    if (rule.minor !== null) p.jumpImm("jne", MINOR, rule.minor, next);
    p.mov64Imm(0, 1).exit();
    p.label(next);
  }
  p.mov64Imm(0, 0).exit();
  return p.encode();
}
