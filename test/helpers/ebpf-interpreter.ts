/**
 * Runs an eBPF program (struct bpf_insn[]) over a context buffer, as the kernel's interpreter would,
 * for the instructions cinfra's generators emit: word loads from the context, 32/64-bit ALU (K and X),
 * conditional and unconditional forward jumps, exit. Anything else throws, so a generator that starts
 * emitting something new fails here first. r1 points at the context; r10 (the stack) is unused.
 */
const MASK64 = (1n << 64n) - 1n;
const MASK32 = (1n << 32n) - 1n;
const CTX = 1n << 40n; // r1's value: a fake address the loads resolve against the context buffer

export function runEbpf(program: Buffer, ctx: Buffer, maxSteps = 100_000): bigint {
  const reg = new Array<bigint>(11).fill(0n);
  reg[1] = CTX;
  for (let pc = 0, steps = 0; steps < maxSteps; pc++, steps++) {
    if (pc * 8 >= program.length) throw new Error("ebpf: ran off the end of the program");
    const code = program.readUInt8(pc * 8);
    const dst = program.readUInt8(pc * 8 + 1) & 0xf;
    const src = program.readUInt8(pc * 8 + 1) >> 4;
    const off = program.readInt16LE(pc * 8 + 2);
    const imm = BigInt(program.readInt32LE(pc * 8 + 4));
    const cls = code & 0x07;
    const op = code & 0xf0;
    const operand = code & 0x08 ? reg[src] : BigInt.asUintN(64, imm);
    if (code === 0x61) { // LDX | MEM | W
      const at = reg[src] - CTX + BigInt(off);
      if (at < 0n || at + 4n > BigInt(ctx.length)) throw new Error(`ebpf: load at ctx+${at} out of bounds (pc ${pc})`);
      reg[dst] = BigInt(ctx.readUInt32LE(Number(at)));
    } else if (cls === 0x04 || cls === 0x07) {
      const wide = cls === 0x07;
      const a = wide ? reg[dst] : reg[dst] & MASK32;
      const b = wide ? operand : operand & MASK32;
      const bits = wide ? 63n : 31n;
      const result = alu(op, a, b, bits, pc);
      reg[dst] = wide ? result & MASK64 : result & MASK32;
    } else if (cls === 0x05) {
      if (op === 0x90) return reg[0];
      if (op === 0x00 || compare(op, reg[dst], operand, pc)) {
        if (off < 0) throw new Error(`ebpf: backward jump at pc ${pc}`);
        pc += off;
      }
    } else {
      throw new Error(`ebpf: unsupported opcode 0x${code.toString(16)} at pc ${pc}`);
    }
  }
  throw new Error("ebpf: step limit reached");
}

function alu(op: number, a: bigint, b: bigint, bits: bigint, pc: number): bigint {
  switch (op) {
    case 0x00: return a + b;
    case 0x10: return a - b;
    case 0x40: return a | b;
    case 0x50: return a & b;
    case 0x60: return a << (b & bits);
    case 0x70: return a >> (b & bits);
    case 0xb0: return b;
    default: throw new Error(`ebpf: unsupported ALU op 0x${op.toString(16)} at pc ${pc}`);
  }
}

function compare(op: number, a: bigint, b: bigint, pc: number): boolean {
  switch (op) {
    case 0x10: return a === b;
    case 0x20: return a > b;
    case 0x30: return a >= b;
    case 0x40: return (a & b) !== 0n;
    case 0x50: return a !== b;
    default: throw new Error(`ebpf: unsupported jump op 0x${op.toString(16)} at pc ${pc}`);
  }
}

/** struct bpf_cgroup_dev_ctx for a request. */
export function deviceContext(type: "b" | "c", major: number, minor: number, access: string): Buffer {
  const bits = [...access].reduce((acc, c) => acc | ({ m: 1, r: 2, w: 4 } as Record<string, number>)[c], 0);
  const ctx = Buffer.alloc(12);
  ctx.writeUInt32LE((bits << 16) | (type === "b" ? 1 : 2), 0);
  ctx.writeUInt32LE(major, 4);
  ctx.writeUInt32LE(minor, 8);
  return ctx;
}
