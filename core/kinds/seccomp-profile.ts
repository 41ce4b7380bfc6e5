/**
 * `seccomp`: "default", "unconfined", or a profile in Docker's JSON format (the object, or its JSON text as
 * Docker's `--security-opt seccomp=` takes it). Validated here with property paths; the runtime compiles it.
 * Syscall names are not checked: profiles list several architectures' syscalls, and unknown ones are
 * skipped, as runc does.
 */
import { array, fail, number, oneOf, record, string, stringArray } from "../model/check.js";
import type { Props, PropValue } from "../model/types.js";

export const SECCOMP_ACTIONS = [
  "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
  "SCMP_ACT_LOG", "SCMP_ACT_TRACE",
] as const;
export const SECCOMP_OPS = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"] as const;
const ERRNO = { min: 0, max: 4095, integer: true };
const U64 = { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true };

function filter(raw: unknown, path: string): Props {
  const f = record(raw, path, ["caps", "arches", "minKernel"]);
  const out: Props = {};
  if (f.caps !== undefined) out.caps = stringArray(f.caps, `${path}.caps`);
  if (f.arches !== undefined) out.arches = stringArray(f.arches, `${path}.arches`);
  if (f.minKernel !== undefined) out.minKernel = string(f.minKernel, `${path}.minKernel`, { re: /^\d+\.\d+$/, what: 'a kernel version like "5.8"' });
  return out;
}

function rule(raw: unknown, path: string): Props {
  // `errno` (a name) is the older spelling beside errnoRet, which decides.
  const r = record(raw, path, ["names", "name", "action", "errnoRet", "errno", "args", "includes", "excludes", "comment"]);
  const names = r.names !== undefined ? stringArray(r.names, `${path}.names`) : r.name !== undefined ? [string(r.name, `${path}.name`)] : fail(path, "needs names");
  const out: Props = { names, action: oneOf(r.action, `${path}.action`, SECCOMP_ACTIONS) };
  if (r.errnoRet !== undefined) out.errnoRet = number(r.errnoRet, `${path}.errnoRet`, ERRNO);
  if (r.args !== undefined && r.args !== null) {
    out.args = array(r.args, `${path}.args`).map((a, i) => {
      const at = `${path}.args[${i}]`;
      const arg = record(a, at, ["index", "value", "valueTwo", "op"]);
      return {
        index: number(arg.index, `${at}.index`, { min: 0, max: 5, integer: true }),
        value: number(arg.value, `${at}.value`, U64),
        valueTwo: arg.valueTwo === undefined ? 0 : number(arg.valueTwo, `${at}.valueTwo`, U64),
        op: oneOf(arg.op, `${at}.op`, SECCOMP_OPS),
      };
    });
  }
  if (r.includes !== undefined) out.includes = filter(r.includes, `${path}.includes`);
  if (r.excludes !== undefined) out.excludes = filter(r.excludes, `${path}.excludes`);
  return out;
}

export function normalizeSeccomp(raw: unknown, path: string): PropValue {
  if (raw === "default" || raw === "unconfined") return raw;
  let profile = raw;
  if (typeof raw === "string") {
    if (!raw.trimStart().startsWith("{")) fail(path, `${JSON.stringify(raw)} is not "default", "unconfined" or a profile`);
    try {
      profile = JSON.parse(raw);
    } catch (error) {
      fail(path, `is not valid JSON: ${(error as Error).message}`);
    }
  }
  const p = record(profile, path, ["defaultAction", "defaultErrnoRet", "defaultErrno", "architectures", "archMap", "syscalls", "flags", "listenerPath", "listenerMetadata"]);
  const out: Props = { defaultAction: oneOf(p.defaultAction, `${path}.defaultAction`, SECCOMP_ACTIONS) };
  if (p.defaultErrnoRet !== undefined) out.defaultErrnoRet = number(p.defaultErrnoRet, `${path}.defaultErrnoRet`, ERRNO);
  if (p.listenerPath !== undefined) fail(`${path}.listenerPath`, "seccomp user notification is not supported");
  out.syscalls = p.syscalls === undefined || p.syscalls === null ? [] : array(p.syscalls, `${path}.syscalls`).map((r, i) => rule(r, `${path}.syscalls[${i}]`));
  return out;
}
