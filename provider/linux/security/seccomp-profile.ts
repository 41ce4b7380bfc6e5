/**
 * A seccomp profile in Docker's JSON format (validated by core/kinds/seccomp-profile.ts), compiled to a
 * classic BPF filter for x86_64: rules in order, first match wins, argument conditions ANDed and compared
 * as 64-bit values in two 32-bit halves (as libseccomp does). Other architectures' syscalls are killed
 * and the x32 ABI's refused, so a profile written for x86_64 cannot be bypassed through them.
 */
import { release } from "node:os";
import { AND_K, BpfProgram, JEQ, JGE, JGT, RET_ALLOW, RET_KILL_PROCESS, retErrno, x86_64Prelude } from "./bpf-program.js";
import { SYSCALLS_X86_64 } from "./syscall-table-x86_64.js";

type Action = "SCMP_ACT_ALLOW" | "SCMP_ACT_ERRNO" | "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" | "SCMP_ACT_KILL_PROCESS" | "SCMP_ACT_TRAP" | "SCMP_ACT_LOG" | "SCMP_ACT_TRACE";
type Op = "SCMP_CMP_NE" | "SCMP_CMP_LT" | "SCMP_CMP_LE" | "SCMP_CMP_EQ" | "SCMP_CMP_GE" | "SCMP_CMP_GT" | "SCMP_CMP_MASKED_EQ";
interface Condition { index: number; value: number; valueTwo: number; op: Op }
interface Applies { caps?: string[]; arches?: string[]; minKernel?: string }
interface Rule { names: string[]; action: Action; errnoRet?: number; args?: Condition[]; includes?: Applies; excludes?: Applies }
export interface SeccompProfile { defaultAction: Action; defaultErrnoRet?: number; syscalls: Rule[] }

const EPERM = 1;
const NATIVE_ARCHES = ["amd64", "x86_64", "SCMP_ARCH_X86_64"];

function actionValue(action: Action, errno: number): number {
  switch (action) {
    case "SCMP_ACT_ALLOW": return RET_ALLOW;
    case "SCMP_ACT_ERRNO": return retErrno(errno);
    case "SCMP_ACT_KILL":
    case "SCMP_ACT_KILL_THREAD": return 0;
    case "SCMP_ACT_KILL_PROCESS": return RET_KILL_PROCESS;
    case "SCMP_ACT_TRAP": return 0x00030000;
    case "SCMP_ACT_LOG": return 0x7ffc0000;
    case "SCMP_ACT_TRACE": return 0x7ff00000 | (errno & 0xffff);
  }
}

const bare = (cap: string) => cap.toUpperCase().replace(/^CAP_/, "");

function kernelAtLeast(version: string, running: string): boolean {
  const [want, have] = [version, running].map((v) => v.split(/[.-]/).slice(0, 2).map(Number));
  return have[0] > want[0] || (have[0] === want[0] && have[1] >= want[1]);
}

/** Docker's includes/excludes: a rule counts when the container has all its `caps`, runs on one of its arches, on a new enough kernel. */
function applies(rule: Rule, capabilities: Set<string>, kernel: string): boolean {
  const inc = rule.includes ?? {};
  const exc = rule.excludes ?? {};
  if (inc.caps && !inc.caps.every((c) => capabilities.has(bare(c)))) return false;
  if (inc.arches && !inc.arches.some((a) => NATIVE_ARCHES.includes(a))) return false;
  if (inc.minKernel && !kernelAtLeast(inc.minKernel, kernel)) return false;
  if (exc.caps && exc.caps.some((c) => capabilities.has(bare(c)))) return false;
  if (exc.arches && exc.arches.some((a) => NATIVE_ARCHES.includes(a))) return false;
  if (exc.minKernel && kernelAtLeast(exc.minKernel, kernel)) return false;
  return true;
}

/** Falls through when args[index] satisfies the condition, jumps to `fail` otherwise. */
function condition(p: BpfProgram, c: Condition, fail: string): void {
  const lo = 16 + 8 * c.index;
  const hi = lo + 4; // little endian: the high half follows
  const half = (v: number) => [Math.floor(v / 2 ** 32) >>> 0, v >>> 0];
  const [vhi, vlo] = half(c.value);
  const pass = p.fresh("pass");
  switch (c.op) {
    case "SCMP_CMP_EQ":
      p.load(hi).emit(JEQ, vhi, 0, fail).load(lo).emit(JEQ, vlo, 0, fail);
      break;
    case "SCMP_CMP_NE":
      p.load(hi).emit(JEQ, vhi, 0, pass).load(lo).emit(JEQ, vlo, fail, 0);
      break;
    case "SCMP_CMP_GT":
    case "SCMP_CMP_GE":
      p.load(hi).emit(JGT, vhi, pass, 0).emit(JEQ, vhi, 0, fail).load(lo).emit(c.op === "SCMP_CMP_GT" ? JGT : JGE, vlo, 0, fail);
      break;
    case "SCMP_CMP_LT":
    case "SCMP_CMP_LE":
      p.load(hi).emit(JGT, vhi, fail, 0).emit(JEQ, vhi, 0, pass).load(lo).emit(c.op === "SCMP_CMP_LT" ? JGE : JGT, vlo, fail, 0);
      break;
    case "SCMP_CMP_MASKED_EQ": {
      const [dhi, dlo] = half(c.valueTwo);
      p.load(hi).emit(AND_K, vhi).emit(JEQ, dhi, 0, fail).load(lo).emit(AND_K, vlo).emit(JEQ, dlo, 0, fail);
      break;
    }
  }
  p.label(pass);
}

export function compileSeccompProfile(profile: SeccompProfile, capabilities: readonly string[], kernel = release()): Buffer {
  const caps = new Set(capabilities.map(bare));
  const defaultErrno = profile.defaultErrnoRet ?? EPERM;
  const p = x86_64Prelude(new BpfProgram());
  for (const rule of profile.syscalls.filter((r) => applies(r, caps, kernel))) {
    const action = actionValue(rule.action, rule.errnoRet ?? defaultErrno);
    for (const name of rule.names) {
      const nr = SYSCALLS_X86_64[name];
      if (nr === undefined) continue; // another architecture's, or newer than this table: runc skips them too
      const next = p.fresh("next");
      p.emit(JEQ, nr, 0, next);
      for (const c of rule.args ?? []) condition(p, c, next);
      p.ret(action).label(next);
      if (rule.args?.length) p.load(0); // the conditions loaded arguments over the syscall number
    }
  }
  p.ret(actionValue(profile.defaultAction, defaultErrno));
  return p.encode();
}
