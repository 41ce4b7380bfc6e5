import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { normalizeSeccomp } from "../../core/kinds/seccomp-profile.js";
import { compileSeccompProfile, type SeccompProfile } from "../../provider/linux/security/seccomp-profile.js";
import { SYSCALLS_X86_64 as NR } from "../../provider/linux/security/syscall-table-x86_64.js";
import { runSeccompFilter } from "../helpers/bpf-interpreter.js";

const ALLOW = 0x7fff0000;
const errno = (n: number) => 0x00050000 | n;
const compile = (profile: unknown, caps: string[] = []) =>
  compileSeccompProfile(normalizeSeccomp(profile, "container.c.seccomp") as unknown as SeccompProfile, caps, "6.18.0");
const run = (filter: Buffer, name: string, ...args: (number | bigint)[]) => runSeccompFilter(filter, { nr: NR[name], args: args.map(BigInt) });

describe("seccomp profiles in Docker's format", () => {
  it("applies rules in order with their errno, then the default action", () => {
    const f = compile({
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [
        { names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 13 },
        { names: ["not_a_syscall_here"], action: "SCMP_ACT_KILL" },
        { name: "reboot", action: "SCMP_ACT_ERRNO" },
      ],
    });
    expect(run(f, "mkdirat")).toBe(errno(13));
    expect(run(f, "reboot")).toBe(errno(1)); // EPERM when no errnoRet is given
    expect(run(f, "read")).toBe(ALLOW);
  });

  it("compares 64-bit arguments with every operator", () => {
    const big = 2 ** 40 + 5;
    const rule = (op: string, value: number, valueTwo = 0) =>
      compile({ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["personality"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value, valueTwo, op }] }] });
    const cases: [string, number, number, (number | bigint)[], boolean][] = [
      ["SCMP_CMP_EQ", big, 0, [big], true], ["SCMP_CMP_EQ", big, 0, [5], false],
      ["SCMP_CMP_NE", big, 0, [big], false], ["SCMP_CMP_NE", big, 0, [2 ** 40 + 6], true],
      ["SCMP_CMP_GT", big, 0, [big + 1], true], ["SCMP_CMP_GT", big, 0, [big], false], ["SCMP_CMP_GT", big, 0, [2 ** 41], true],
      ["SCMP_CMP_GE", big, 0, [big], true], ["SCMP_CMP_GE", big, 0, [big - 1], false],
      ["SCMP_CMP_LT", big, 0, [big - 1], true], ["SCMP_CMP_LT", big, 0, [big], false], ["SCMP_CMP_LT", big, 0, [2 ** 39 + 100], true],
      ["SCMP_CMP_LE", big, 0, [big], true], ["SCMP_CMP_LE", big, 0, [big + 1], false],
      ["SCMP_CMP_MASKED_EQ", 0x10000000, 0, [0x10000000], false], ["SCMP_CMP_MASKED_EQ", 0x10000000, 0, [0x20000], true],
    ];
    for (const [op, value, valueTwo, args, allowed] of cases) {
      expect([op, args, run(rule(op, value, valueTwo), "personality", ...args)]).toEqual([op, args, allowed ? ALLOW : errno(1)]);
    }
  });

  it("ANDs a rule's conditions, and reloads the syscall number after a failed one", () => {
    const f = compile({
      defaultAction: "SCMP_ACT_ALLOW",
      syscalls: [
        { names: ["socket"], action: "SCMP_ACT_ERRNO", errnoRet: 22, args: [{ index: 0, value: 16, op: "SCMP_CMP_EQ" }, { index: 2, value: 9, op: "SCMP_CMP_EQ" }] },
        { names: ["bind"], action: "SCMP_ACT_ERRNO", errnoRet: 99 },
      ],
    });
    expect(run(f, "socket", 16, 3, 9)).toBe(errno(22));
    expect(run(f, "socket", 16, 3, 0)).toBe(ALLOW);
    expect(run(f, "bind", 0, 0, 0)).toBe(errno(99));
  });

  it("honours includes/excludes by capability, architecture and kernel", () => {
    const profile = {
      defaultAction: "SCMP_ACT_ERRNO",
      syscalls: [
        { names: ["mount"], action: "SCMP_ACT_ALLOW", includes: { caps: ["CAP_SYS_ADMIN"] } },
        { names: ["chroot"], action: "SCMP_ACT_ALLOW", excludes: { caps: ["CAP_SYS_ADMIN"] } },
        { names: ["iopl"], action: "SCMP_ACT_ALLOW", includes: { arches: ["s390x"] } },
        { names: ["read"], action: "SCMP_ACT_ALLOW", includes: { minKernel: "7.1" } },
        { names: ["write"], action: "SCMP_ACT_ALLOW", includes: { minKernel: "4.8" } },
      ],
    };
    const plain = compile(profile);
    const admin = compile(profile, ["SYS_ADMIN"]);
    expect([run(plain, "mount"), run(admin, "mount")]).toEqual([errno(1), ALLOW]);
    expect([run(plain, "chroot"), run(admin, "chroot")]).toEqual([ALLOW, errno(1)]);
    expect(run(plain, "iopl")).toBe(errno(1));
    expect([run(plain, "read"), run(plain, "write")]).toEqual([errno(1), ALLOW]);
  });

  it("kills other architectures and refuses the x32 ABI whatever the profile says", () => {
    const f = compile({ defaultAction: "SCMP_ACT_ALLOW" });
    expect(runSeccompFilter(f, { nr: 1, arch: 0x40000003 })).toBe(0x80000000);
    expect(runSeccompFilter(f, { nr: 0x40000000 + 1 })).toBe(errno(38));
  });

  it("takes the profile as JSON text, and names the property of a bad one", () => {
    expect(normalizeSeccomp('{"defaultAction":"SCMP_ACT_ALLOW"}', "c.seccomp")).toEqual({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [] });
    expect(() => normalizeSeccomp("{nope", "container.c.seccomp")).toThrow(/container\.c\.seccomp: is not valid JSON/);
    expect(() => normalizeSeccomp("strict", "container.c.seccomp")).toThrow(/container\.c\.seccomp:.*"default", "unconfined" or a profile/);
    expect(() => normalizeSeccomp({ defaultAction: "SCMP_ACT_MAYBE" }, "container.c.seccomp")).toThrow(/container\.c\.seccomp\.defaultAction/);
    expect(() => normalizeSeccomp({ defaultAction: "SCMP_ACT_ALLOW", syscalls: [{ names: ["x"], action: "SCMP_ACT_ALLOW", args: [{ index: 6, value: 0, op: "SCMP_CMP_EQ" }] }] }, "container.c.seccomp"))
      .toThrow(/container\.c\.seccomp\.syscalls\[0\]\.args\[0\]\.index/);
  });

  it.runIf(existsSync("/usr/share/containers/seccomp.json"))("compiles podman's default profile (containers-common) with its intent intact", () => {
    const profile = JSON.parse(readFileSync("/usr/share/containers/seccomp.json", "utf8"));
    const f = compile(profile, ["CHOWN", "NET_BIND_SERVICE", "SETUID", "SETGID"]);
    expect(run(f, "read")).toBe(ALLOW);
    expect(run(f, "personality", 0)).toBe(ALLOW);
    expect(run(f, "personality", 0x1234)).toBe(errno(38)); // not listed: the profile's default errno
    expect(run(f, "init_module")).toBe(errno(1));
    expect(run(f, "socket", 16, 3, 9)).toBe(errno(22)); // netlink audit without AUDIT_WRITE
    expect(run(f, "socket", 2, 1, 0)).toBe(ALLOW);
    expect(run(compile(profile, ["SYS_MODULE"]), "init_module")).toBe(ALLOW);
  });
});
