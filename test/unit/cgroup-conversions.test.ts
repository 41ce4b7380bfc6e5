/** Pure conversions between Docker's limit units and the kernel's cgroup files. */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../core/errors.js";
import {
  blkioToIoWeight, canonicalCpuList, cpusToQuota, ioToBlkioWeight, normalizeLimits, quotaToCpus, replacementLimits, sharesToWeight,
  swapMaxFor, weightToShares,
} from "../../provider/linux/cgroups/conversions.js";
import { ioMaxLine, parseIoMax, throttleFromLines, weightOf } from "../../provider/linux/cgroups/io-files.js";

describe("cgroup conversions", () => {
  it("turns fractional CPUs into a quota over a 100 ms period and back", () => {
    expect(cpusToQuota(0.5)).toBe(50_000);
    expect(cpusToQuota(1.333)).toBe(133_300);
    expect(quotaToCpus(133_300)).toBe(1.333);
    expect(quotaToCpus(25_000, 50_000)).toBe(0.5);
  });

  it("maps Docker shares to cgroup v2 weight like runc, clamping to the shares range", () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(262_144)).toBe(10_000);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(512)).toBe(20);
    expect(sharesToWeight(1000)).toBe(39);
    expect(sharesToWeight(1)).toBe(1);
    expect(sharesToWeight(1_000_000)).toBe(10_000);
  });

  it("inverts the weight to the smallest shares value giving it back", () => {
    for (let weight = 1; weight <= 10_000; weight++) expect(sharesToWeight(weightToShares(weight))).toBe(weight);
    expect(weightToShares(1)).toBe(2);
    expect(sharesToWeight(weightToShares(39) - 1)).toBe(38);
  });

  it("converts blkio weight (10..1000) to io.weight (1..10000) and back exactly", () => {
    expect(blkioToIoWeight(10)).toBe(1);
    expect(blkioToIoWeight(1000)).toBe(10_000);
    expect(blkioToIoWeight(500)).toBe(4950);
    for (let w = 10; w <= 1000; w++) expect(ioToBlkioWeight(blkioToIoWeight(w))).toBe(w);
  });

  it("derives v2 swap from Docker's memory + swap total", () => {
    expect(swapMaxFor(-1, 64)).toBe("max");
    expect(swapMaxFor(96, 64)).toBe(32);
    expect(swapMaxFor(64, 64)).toBe(0);
    expect(() => swapMaxFor(32, 64)).toThrow(ValidationError);
    expect(() => swapMaxFor(32, null)).toThrow(/needs a memory limit/);
  });

  it("prints cpu lists the way the kernel does", () => {
    expect(canonicalCpuList("3,0-1,2")).toBe("0-3");
    expect(canonicalCpuList("0,2,4-5")).toBe("0,2,4-5");
    expect(canonicalCpuList("1")).toBe("1");
    expect(() => canonicalCpuList("a-b")).toThrow(ValidationError);
  });

  it("normalizes limits to what each version reads back, leaving defaults out", () => {
    const limits = { memory: 10_000_000, cpus: 0.25, cpuShares: 512, cpusetCpus: "1,0", pids: 9, memorySwap: -1 };
    expect(normalizeLimits(1, limits)).toEqual({ memory: 9_998_336, cpus: 0.25, cpuShares: 512, cpusetCpus: "0-1", pids: 9 });
    expect(normalizeLimits(2, limits)).toEqual({ memory: 9_998_336, cpus: 0.25, cpuShares: weightToShares(20), cpusetCpus: "0-1", pids: 9 });
    expect(normalizeLimits(1, { cpuShares: 1024 })).toEqual({});
    expect(normalizeLimits(2, { cpuShares: weightToShares(100), blkioThrottle: [{ device: "8:0" }] })).toEqual({});
  });

  it("builds the update that replaces one set of limits with another", () => {
    expect(replacementLimits({ memory: 1, pids: 2, deviceRules: ["a"] }, { memory: 3, cpus: 1 })).toEqual({ memory: 3, cpus: 1, pids: null });
  });
});

describe("block I/O files", () => {
  it("parses v1 throttle lines, weight files and v2 io.max", () => {
    expect(throttleFromLines("8:0 1048576\n254:0 10\n")).toEqual([{ device: "8:0", value: 1_048_576 }, { device: "254:0", value: 10 }]);
    expect(weightOf("default 100\n8:0 300")).toBe(100);
    expect(weightOf("500")).toBe(500);
    expect(weightOf("")).toBeNull();
    expect(parseIoMax("8:0 rbps=1024 wbps=max riops=max wiops=7\n8:16 rbps=max wbps=max riops=max wiops=max")).toEqual([
      { device: "8:0", readBps: 1024, writeIops: 7 },
    ]);
    expect(ioMaxLine({ device: "8:0", writeBps: 5 })).toBe("8:0 rbps=max wbps=5 riops=max wiops=max");
  });
});
