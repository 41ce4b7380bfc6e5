/**
 * A tiny eBPF assembler (the subset cgroup device programs need): instructions whose jumps name
 * labels, resolved to the signed 16-bit offsets the kernel wants, encoded as struct bpf_insn[]:
 * u8 code; u8 dst_reg:4, src_reg:4 (dst in the low nibble on little-endian); s16 off; s32 imm.
 */

// Instruction classes (the low 3 bits of the opcode).
const LDX = 0x01;
const JMP = 0x05;
const ALU = 0x04; // 32-bit operands; the result is zero-extended to 64 bits
const ALU64 = 0x07;
// Sizes and modes for loads.
const W = 0x00;
const MEM = 0x60;
// Source operand: the immediate (K) or src_reg (X).
const K = 0x00;
const X = 0x08;

export const ALU_OP = { add: 0x00, sub: 0x10, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70, mov: 0xb0 } as const;
export const JMP_OP = { ja: 0x00, jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40, jne: 0x50 } as const;
const EXIT = 0x90;

export type Register = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
export type AluOp = keyof typeof ALU_OP;
export type JmpOp = Exclude<keyof typeof JMP_OP, "ja">;

interface Insn {
  code: number;
  dst: Register;
  src: Register;
  off: number;
  imm: number;
  /** A label the offset is resolved to at encode time. */
  target?: string;
}

/** The kernel's limit for unprivileged loaders; ours stay far below it. */
const MAX_INSNS = 4096;

export class EbpfProgram {
  private readonly insns: Insn[] = [];
  private readonly labels = new Map<string, number>();
  private counter = 0;

  /** A label name unique within this program. */
  fresh(prefix: string): string {
    return `${prefix}#${this.counter++}`;
  }

  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`ebpf: label ${name} placed twice`);
    this.labels.set(name, this.insns.length);
    return this;
  }

  /** dst = *(u32 *)(src + off) */
  loadWord(dst: Register, src: Register, off: number): this {
    return this.push({ code: LDX | W | MEM, dst, src, off, imm: 0 });
  }

  /** 32-bit `dst op= imm` (zero-extends dst). */
  alu32Imm(op: AluOp, dst: Register, imm: number): this {
    return this.push({ code: ALU | ALU_OP[op] | K, dst, src: 0, off: 0, imm });
  }

  /** 32-bit `dst op= src` (zero-extends dst). */
  alu32Reg(op: AluOp, dst: Register, src: Register): this {
    return this.push({ code: ALU | ALU_OP[op] | X, dst, src, off: 0, imm: 0 });
  }

  /** 64-bit `dst = imm` (sign-extended from 32 bits). */
  mov64Imm(dst: Register, imm: number): this {
    return this.push({ code: ALU64 | ALU_OP.mov | K, dst, src: 0, off: 0, imm });
  }

  /** if (dst op imm) goto target — a 64-bit compare, so the imm is sign-extended. */
  jumpImm(op: JmpOp, dst: Register, imm: number, target: string): this {
    return this.push({ code: JMP | JMP_OP[op] | K, dst, src: 0, off: 0, imm, target });
  }

  /** if (dst op src) goto target */
  jumpReg(op: JmpOp, dst: Register, src: Register, target: string): this {
    return this.push({ code: JMP | JMP_OP[op] | X, dst, src, off: 0, imm: 0, target });
  }

  /** goto target */
  jump(target: string): this {
    return this.push({ code: JMP | JMP_OP.ja, dst: 0, src: 0, off: 0, imm: 0, target });
  }

  /** return r0 */
  exit(): this {
    return this.push({ code: JMP | EXIT, dst: 0, src: 0, off: 0, imm: 0 });
  }

  get length(): number {
    return this.insns.length;
  }

  encode(): Buffer {
    if (this.insns.length > MAX_INSNS) throw new RangeError(`ebpf: ${this.insns.length} instructions (the limit is ${MAX_INSNS})`);
    const out = Buffer.alloc(this.insns.length * 8);
    this.insns.forEach((insn, i) => {
      out.writeUInt8(insn.code, i * 8);
      out.writeUInt8(insn.dst | (insn.src << 4), i * 8 + 1);
      out.writeInt16LE(insn.target === undefined ? insn.off : this.offset(insn.target, i), i * 8 + 2);
      out.writeInt32LE(insn.imm, i * 8 + 4);
    });
    return out;
  }

  private push(insn: Insn): this {
    if (!Number.isInteger(insn.imm) || insn.imm < -(2 ** 31) || insn.imm >= 2 ** 31) throw new RangeError(`ebpf: immediate ${insn.imm} does not fit in s32`);
    this.insns.push(insn);
    return this;
  }

  /** Forward jumps only: a loop-free program is what the verifier accepts at once. */
  private offset(target: string, at: number): number {
    const position = this.labels.get(target);
    if (position === undefined) throw new Error(`ebpf: label ${target} was never placed`);
    const offset = position - at - 1;
    if (offset < 0 || offset > 0x7fff) throw new RangeError(`ebpf: jump to ${target} spans ${offset} instructions`);
    return offset;
  }
}
