/** The cgroup v2 device program, generated from v1-style rules and run through an eBPF interpreter. */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../core/errors.js";
import { allowsEverything, deviceProgram, parseDeviceRule } from "../../provider/linux/cgroups/device-program.js";
import { DEFAULT_DEVICE_RULES } from "../../provider/linux/cgroups/types.js";
import { EbpfProgram } from "../../provider/linux/security/ebpf-program.js";
import { deviceContext, runEbpf } from "../helpers/ebpf-interpreter.js";

const compile = (rules: string[]) => deviceProgram(rules.map((r, i) => parseDeviceRule(r, i)));
const allows = (program: Buffer, type: "b" | "c", major: number, minor: number, access: string) =>
  runEbpf(program, deviceContext(type, major, minor, access)) === 1n;

describe("device rules", () => {
  it("parse v1's syntax, with wildcards and 'a' alone as everything", () => {
    expect(parseDeviceRule("c 1:3 rwm")).toEqual({ type: "c", major: 1, minor: 3, access: 7 });
    expect(parseDeviceRule("b *:* m")).toEqual({ type: "b", major: null, minor: null, access: 1 });
    expect(parseDeviceRule("c 136:* rw")).toEqual({ type: "c", major: 136, minor: null, access: 6 });
    expect(parseDeviceRule("a")).toEqual({ type: "a", major: null, minor: null, access: 7 });
    expect(allowsEverything([parseDeviceRule("a")])).toBe(true);
    expect(allowsEverything(DEFAULT_DEVICE_RULES.map((r) => parseDeviceRule(r)))).toBe(false);
  });

  it("refuse a malformed rule naming its index", () => {
    for (const bad of ["x 1:3 rwm", "c 1 rwm", "c 1:3 rwx", "c 4096:0 r", "c 1:1048576 r", ""]) {
      expect(() => parseDeviceRule(bad, 4), bad).toThrow(ValidationError);
    }
    expect(() => parseDeviceRule("c 1:3 rwx", 4)).toThrow(/deviceRules\[4\]/);
  });
});

describe("the generated program (Docker's default list)", () => {
  const program = compile(DEFAULT_DEVICE_RULES);

  it("lets /dev/null, /dev/zero, /dev/urandom, ptys and /dev/net/tun be read and written", () => {
    for (const [major, minor] of [[1, 3], [1, 5], [1, 9], [5, 2], [136, 0], [136, 17], [10, 200]]) {
      expect(allows(program, "c", major, minor, "rw"), `${major}:${minor}`).toBe(true);
      expect(allows(program, "c", major, minor, "r")).toBe(true);
    }
  });

  it("denies opening a block device (8:0) or a char device not on the list", () => {
    for (const access of ["r", "w", "rw"]) expect(allows(program, "b", 8, 0, access)).toBe(false);
    expect(allows(program, "c", 1, 1, "r")).toBe(false); // /dev/mem
    expect(allows(program, "c", 10, 237, "rw")).toBe(false); // /dev/loop-control
    expect(allows(program, "c", 4, 0, "rw")).toBe(false); // /dev/tty0
  });

  it("allows mknod of any node (the open is what is checked), but nothing else by the m rules", () => {
    expect(allows(program, "b", 8, 0, "m")).toBe(true);
    expect(allows(program, "c", 10, 237, "m")).toBe(true);
    expect(allows(program, "b", 8, 0, "rm")).toBe(false);
  });
});

describe("the generated program (other rule lists)", () => {
  it("denies everything with no rules", () => {
    const program = compile([]);
    expect(allows(program, "c", 1, 3, "r")).toBe(false);
    expect(allows(program, "b", 8, 0, "m")).toBe(false);
  });

  it("honours wildcards per field and the type of each rule", () => {
    const program = compile(["c 10:* r", "b *:1 w", "a 7:7 m"]);
    expect(allows(program, "c", 10, 237, "r")).toBe(true);
    expect(allows(program, "c", 10, 237, "w")).toBe(false);
    expect(allows(program, "b", 10, 237, "r")).toBe(false);
    expect(allows(program, "b", 3, 1, "w")).toBe(true);
    expect(allows(program, "b", 3, 2, "w")).toBe(false);
    expect(allows(program, "c", 3, 1, "w")).toBe(false);
    expect(allows(program, "b", 7, 7, "m")).toBe(true);
    expect(allows(program, "c", 7, 7, "m")).toBe(true);
    expect(allows(program, "c", 7, 7, "r")).toBe(false);
  });

  it("needs one rule to cover the whole request, like v1", () => {
    const program = compile(["c 1:3 r", "c 1:3 w"]);
    expect(allows(program, "c", 1, 3, "r")).toBe(true);
    expect(allows(program, "c", 1, 3, "w")).toBe(true);
    expect(allows(program, "c", 1, 3, "rw")).toBe(false);
  });

  it("adds a passed-in device to the defaults with its permissions", () => {
    const program = compile([...DEFAULT_DEVICE_RULES, "c 10:237 rw"]);
    expect(allows(program, "c", 10, 237, "rw")).toBe(true);
    expect(allows(program, "c", 10, 238, "rw")).toBe(false);
  });

  it("skips a rule that grants nothing and stays small", () => {
    expect(compile(["c 1:3 "])).toEqual(compile([]));
    expect(compile(DEFAULT_DEVICE_RULES).length / 8).toBeLessThan(120);
  });
});

describe("the eBPF assembler", () => {
  it("encodes registers, offsets and immediates as struct bpf_insn", () => {
    const p = new EbpfProgram().jumpImm("jne", 4, -1, "end").mov64Imm(0, 1).label("end").exit();
    const code = p.encode();
    expect([...code.subarray(0, 8)]).toEqual([0x55, 0x04, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff]);
    expect([...code.subarray(8, 16)]).toEqual([0xb7, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00]);
    expect([...code.subarray(16, 24)]).toEqual([0x95, 0, 0, 0, 0, 0, 0, 0]);
    expect(new EbpfProgram().alu32Reg("mov", 1, 3).encode()[1]).toBe(0x31);
  });

  it("refuses unplaced labels, backward jumps and oversized immediates", () => {
    expect(() => new EbpfProgram().jump("nowhere").exit().encode()).toThrow(/never placed/);
    expect(() => new EbpfProgram().label("top").jump("top").encode()).toThrow(/spans -1/);
    expect(() => new EbpfProgram().mov64Imm(0, 2 ** 31)).toThrow(RangeError);
  });
});
