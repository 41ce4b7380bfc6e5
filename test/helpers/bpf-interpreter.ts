/** Runs a classic-BPF seccomp filter (struct sock_filter[]) over seccomp_data, as the kernel would. */
export interface SeccompData {
  nr: number;
  arch?: number;
  args?: bigint[];
}

export const AUDIT_ARCH_X86_64 = 0xc000003e;

export function runSeccompFilter(filter: Buffer, data: SeccompData): number {
  const words = Buffer.alloc(64);
  words.writeInt32LE(data.nr, 0);
  words.writeUInt32LE(data.arch ?? AUDIT_ARCH_X86_64, 4);
  (data.args ?? []).forEach((a, i) => words.writeBigUInt64LE(BigInt.asUintN(64, a), 16 + 8 * i));
  let acc = 0;
  for (let pc = 0; pc * 8 < filter.length; pc++) {
    const code = filter.readUInt16LE(pc * 8);
    const jt = filter.readUInt8(pc * 8 + 2);
    const jf = filter.readUInt8(pc * 8 + 3);
    const k = filter.readUInt32LE(pc * 8 + 4);
    switch (code) {
      case 0x20: acc = words.readUInt32LE(k); break;
      case 0x54: acc = (acc & k) >>> 0; break;
      case 0x06: return k;
      case 0x15: pc += acc === k ? jt : jf; break;
      case 0x25: pc += acc > k ? jt : jf; break;
      case 0x35: pc += acc >= k ? jt : jf; break;
      case 0x45: pc += (acc & k) !== 0 ? jt : jf; break;
      default: throw new Error(`unknown BPF opcode 0x${code.toString(16)} at ${pc}`);
    }
  }
  throw new Error("the filter ran off its end");
}
