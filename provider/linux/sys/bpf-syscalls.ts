/**
 * The bpf(2) commands cinfra uses (cgroup v2 device programs), over koffi like layer-libc.ts.
 * `union bpf_attr` layouts follow include/uapi/linux/bpf.h; pointer fields (__aligned_u64) carry
 * the addresses of buffers that stay referenced for the duration of the call.
 */
import { createRequire } from "node:module";
import { SyscallError } from "../../../core/errors.js";

export interface BpfProgramLoad {
  /** enum bpf_prog_type. */
  type: number;
  /** struct bpf_insn[] (8 bytes each). */
  insns: Buffer;
  license: string;
  /** enum bpf_attach_type the verifier checks context accesses against. */
  expectedAttachType?: number;
  /** Up to 15 characters of [A-Za-z0-9_.]: shown by bpftool and in BPF_OBJ_GET_INFO_BY_FD. */
  name?: string;
}

export interface BpfProgramInfo {
  type: number;
  id: number;
  /** Hex of the kernel's 8-byte tag: the first bytes of the SHA-1 of the loaded instructions. */
  tag: string;
  name: string;
}

export interface BpfSyscalls {
  /** BPF_PROG_LOAD; returns the program's fd. A verifier rejection throws SyscallError with the log's tail. */
  progLoad(program: BpfProgramLoad): number;
  /** BPF_PROG_ATTACH of `progFd` to `targetFd` (a cgroup directory's fd). */
  progAttach(targetFd: number, progFd: number, attachType: number, flags: number): void;
  /** BPF_PROG_DETACH of one program (with BPF_F_ALLOW_MULTI the program must be named). */
  progDetach(targetFd: number, progFd: number, attachType: number): void;
  /** BPF_PROG_QUERY: ids of the programs attached to `targetFd` itself (not inherited ones). */
  progQuery(targetFd: number, attachType: number): number[];
  /** BPF_PROG_GET_FD_BY_ID; ENOENT once the program is freed. */
  progGetFdById(id: number): number;
  /** BPF_OBJ_GET_INFO_BY_FD on a program fd. */
  progInfo(progFd: number): BpfProgramInfo;
}

// enum bpf_cmd
const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;
const BPF_PROG_DETACH = 9;
const BPF_PROG_GET_FD_BY_ID = 13;
const BPF_OBJ_GET_INFO_BY_FD = 15;
const BPF_PROG_QUERY = 16;
/** bpf(2): x86_64's own table; aarch64 uses the generic one. */
const SYS_BPF = process.arch === "arm64" ? 280 : 321;
const ENOSPC = 28;
const LOG_SIZE = 1 << 16;

type Native = (...args: unknown[]) => number | bigint;

/** A buffer backed by its own ArrayBuffer: off the V8 heap, so its address holds while the kernel reads it. */
const pinned = (size: number): Buffer => Buffer.from(new ArrayBuffer(size));

/** The attach/detach part of union bpf_attr: target_fd, attach_bpf_fd, attach_type, attach_flags. */
function attachAttr(targetFd: number, progFd: number, attachType: number, flags: number): Buffer {
  const attr = pinned(20);
  attr.writeUInt32LE(targetFd, 0);
  attr.writeUInt32LE(progFd, 4);
  attr.writeUInt32LE(attachType, 8);
  attr.writeUInt32LE(flags, 12);
  return attr;
}

export function loadBpfSyscalls(): BpfSyscalls {
  const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi");
  const syscall = koffi.load("libc.so.6").func("long syscall(long number, ...)") as Native;
  const address = (buffer: Buffer): bigint => koffi.address(buffer);

  /** bpf(cmd, attr, sizeof attr); returns the result or -errno (errno read at once). */
  function bpf(cmd: number, attr: Buffer): { result: number; errno: number } {
    const result = Number(syscall(SYS_BPF, "int", cmd, "void *", attr, "uint32_t", attr.length));
    return { result, errno: result < 0 ? koffi.errno() : 0 };
  }

  function checked(call: string, cmd: number, attr: Buffer, detail: string): number {
    const { result, errno } = bpf(cmd, attr);
    if (result < 0) throw new SyscallError(call, errno, undefined, detail);
    return result;
  }

  function progLoadAttr(program: BpfProgramLoad, insns: Buffer, license: Buffer, log: Buffer | null): Buffer {
    const attr = pinned(72);
    attr.writeUInt32LE(program.type, 0); // prog_type
    attr.writeUInt32LE(insns.length / 8, 4); // insn_cnt
    attr.writeBigUInt64LE(address(insns), 8); // insns
    attr.writeBigUInt64LE(address(license), 16); // license
    if (log) {
      attr.writeUInt32LE(1, 24); // log_level
      attr.writeUInt32LE(log.length, 28); // log_size
      attr.writeBigUInt64LE(address(log), 32); // log_buf
    }
    attr.write((program.name ?? "").slice(0, 15), 48, "latin1"); // prog_name[16], NUL-terminated by the zero fill
    attr.writeUInt32LE(program.expectedAttachType ?? 0, 68); // expected_attach_type
    return attr;
  }

  return {
    progLoad(program) {
      if (program.insns.length === 0 || program.insns.length % 8 !== 0) throw new RangeError(`bpf: ${program.insns.length} bytes is not a whole number of instructions`);
      const insns = pinned(program.insns.length);
      program.insns.copy(insns);
      const license = pinned(program.license.length + 1);
      license.write(program.license, "latin1");
      const first = bpf(BPF_PROG_LOAD, progLoadAttr(program, insns, license, null));
      if (first.result >= 0) return first.result;
      // Load again with the verifier's log (as libbpf does) so the error says why; keep the first errno.
      const log = pinned(LOG_SIZE);
      const again = bpf(BPF_PROG_LOAD, progLoadAttr(program, insns, license, log));
      if (again.result >= 0) return again.result;
      const text = log.toString("latin1", 0, Math.max(0, log.indexOf(0))).trim().split("\n").slice(-3).join(" | ");
      throw new SyscallError("bpf(BPF_PROG_LOAD)", first.errno, undefined, `${program.name ?? "program"} of ${insns.length / 8} instructions${text ? `: ${text}` : ""}`);
    },
    progAttach(targetFd, progFd, attachType, flags) {
      checked("bpf(BPF_PROG_ATTACH)", BPF_PROG_ATTACH, attachAttr(targetFd, progFd, attachType, flags), `target fd=${targetFd} prog fd=${progFd} type=${attachType}`);
    },
    progDetach(targetFd, progFd, attachType) {
      checked("bpf(BPF_PROG_DETACH)", BPF_PROG_DETACH, attachAttr(targetFd, progFd, attachType, 0), `target fd=${targetFd} prog fd=${progFd} type=${attachType}`);
    },
    progQuery(targetFd, attachType) {
      for (let capacity = 64; ; ) {
        const ids = pinned(capacity * 4);
        const attr = pinned(40);
        attr.writeUInt32LE(targetFd, 0); // target_fd
        attr.writeUInt32LE(attachType, 4); // attach_type; query_flags 0: only programs attached right here
        attr.writeBigUInt64LE(address(ids), 16); // prog_ids
        attr.writeUInt32LE(capacity, 24); // prog_cnt: in, the room; out, the count
        const { result, errno } = bpf(BPF_PROG_QUERY, attr);
        const count = attr.readUInt32LE(24);
        if (result < 0 && errno === ENOSPC && count > capacity) {
          capacity = count;
          continue;
        }
        if (result < 0) throw new SyscallError("bpf(BPF_PROG_QUERY)", errno, undefined, `target fd=${targetFd} type=${attachType}`);
        return Array.from({ length: count }, (_, i) => ids.readUInt32LE(i * 4));
      }
    },
    progGetFdById(id) {
      const attr = pinned(12);
      attr.writeUInt32LE(id, 0); // prog_id
      return checked("bpf(BPF_PROG_GET_FD_BY_ID)", BPF_PROG_GET_FD_BY_ID, attr, `id=${id}`);
    },
    progInfo(progFd) {
      // struct bpf_prog_info up to name[16]: the kernel fills min(info_len, its size).
      const info = pinned(80);
      const attr = pinned(16);
      attr.writeUInt32LE(progFd, 0); // bpf_fd
      attr.writeUInt32LE(info.length, 4); // info_len
      attr.writeBigUInt64LE(address(info), 8); // info
      checked("bpf(BPF_OBJ_GET_INFO_BY_FD)", BPF_OBJ_GET_INFO_BY_FD, attr, `fd=${progFd}`);
      const nameEnd = info.indexOf(0, 64);
      return {
        type: info.readUInt32LE(0),
        id: info.readUInt32LE(4),
        tag: info.toString("hex", 8, 16),
        name: info.toString("latin1", 64, nameEnd < 0 || nameEnd > 80 ? 80 : nameEnd),
      };
    },
  };
}
