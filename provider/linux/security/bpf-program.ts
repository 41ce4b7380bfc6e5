/**
 * A small classic-BPF assembler for seccomp filters: instructions whose jumps name labels, resolved to
 * the 8-bit forward offsets the kernel wants, and encoded as struct sock_filter[] (8 bytes each).
 */
export const LD_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
export const AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K
export const JEQ = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
export const JGT = 0x25; // BPF_JMP | BPF_JGT | BPF_K
export const JGE = 0x35; // BPF_JMP | BPF_JGE | BPF_K
export const JSET = 0x45; // BPF_JMP | BPF_JSET | BPF_K
export const RET = 0x06; // BPF_RET | BPF_K

/** A jump target: the next instruction (0) or a label placed later. */
export type Target = 0 | string;

interface Insn {
  code: number;
  k: number;
  jt: Target;
  jf: Target;
}

export class BpfProgram {
  private readonly insns: Insn[] = [];
  private readonly labels = new Map<string, number>();
  private counter = 0;

  /** A label name unique within this program. */
  fresh(prefix: string): string {
    return `${prefix}#${this.counter++}`;
  }

  load(offset: number): this {
    return this.emit(LD_ABS, offset);
  }

  emit(code: number, k: number, jt: Target = 0, jf: Target = 0): this {
    this.insns.push({ code, k: k >>> 0, jt, jf });
    return this;
  }

  ret(action: number): this {
    return this.emit(RET, action);
  }

  label(name: string): this {
    this.labels.set(name, this.insns.length);
    return this;
  }

  get length(): number {
    return this.insns.length;
  }

  encode(): Buffer {
    if (this.insns.length > 4096) throw new RangeError(`seccomp filter of ${this.insns.length} instructions (the kernel takes 4096)`);
    const out = Buffer.alloc(this.insns.length * 8);
    this.insns.forEach((insn, i) => {
      out.writeUInt16LE(insn.code, i * 8);
      out.writeUInt8(this.offset(insn.jt, i), i * 8 + 2);
      out.writeUInt8(this.offset(insn.jf, i), i * 8 + 3);
      out.writeUInt32LE(insn.k, i * 8 + 4);
    });
    return out;
  }

  private offset(target: Target, at: number): number {
    if (target === 0) return 0;
    const position = this.labels.get(target);
    if (position === undefined) throw new Error(`bpf: label ${target} was never placed`);
    const offset = position - at - 1;
    if (offset < 0 || offset > 255) throw new RangeError(`bpf: jump to ${target} spans ${offset} instructions`);
    return offset;
  }
}

/** Seccomp return values (linux/seccomp.h). */
export const RET_ALLOW = 0x7fff0000;
export const RET_KILL_PROCESS = 0x80000000;
export const retErrno = (errno: number) => 0x00050000 | (errno & 0xffff);

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;
const ENOSYS = 38;

/**
 * Every filter's start: kill another architecture's syscall, refuse the x32 ABI (its numbers would slip past
 * rules written for x86_64), and leave the syscall number in the accumulator.
 */
export function x86_64Prelude(p: BpfProgram): BpfProgram {
  const x86_64 = p.fresh("x86_64");
  const native = p.fresh("native");
  p.load(4).emit(JEQ, AUDIT_ARCH_X86_64, x86_64, 0).ret(RET_KILL_PROCESS).label(x86_64);
  return p.load(0).emit(JGE, X32_SYSCALL_BIT, 0, native).ret(retErrno(ENOSYS)).label(native);
}
