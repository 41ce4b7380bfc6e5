/** Pure parts of logs: the CRI line parser, joining partial lines, time windows, CLI bounds, prop checks. */
import { describe, expect, it } from "vitest";
import { parseTimeBound } from "../../cli/time-bound.js";
import { formatEntry } from "../../cli/commands/logs.js";
import { normalizeLogging } from "../../core/kinds/container-lifecycle.js";
import { inWindow, LineAssembler, parseLogLine } from "../../provider/linux/resources/log-format.js";

describe("CRI log lines", () => {
  it("parses stream, tag and text (spaces kept)", () => {
    expect(parseLogLine("2026-12-06T22:00:00.000000001Z stderr F  two  spaces")).toEqual({
      time: "2026-12-06T22:00:00.000000001Z", stream: "stderr", full: true, text: " two  spaces",
    });
    expect(parseLogLine("garbage")).toBeNull();
  });

  it("joins P parts per stream, timed by the first part; an unended line stays partial", () => {
    const a = new LineAssembler();
    const line = (t: string, s: string, tag: string, text: string) => parseLogLine(`${t} ${s} ${tag} ${text}`)!;
    expect(a.push(line("T1", "stdout", "P", "ab"))).toBeNull();
    expect(a.push(line("T2", "stderr", "F", "err"))).toEqual({ time: "T2", stream: "stderr", text: "err" });
    expect(a.push(line("T3", "stdout", "F", "cd"))).toEqual({ time: "T1", stream: "stdout", text: "abcd" });
    a.push(line("T4", "stdout", "P", "open"));
    expect(a.drain()).toEqual([{ time: "T4", stream: "stdout", text: "open", partial: true }]);
  });

  it("windows by time: since inclusive, until exclusive", () => {
    const e = { time: "2026-12-06T22:00:00.500000000Z", stream: "stdout" as const, text: "" };
    const t = Date.parse(e.time);
    expect([inWindow(e, t), inWindow(e, t + 1), inWindow(e, undefined, t), inWindow(e, undefined, t + 1)]).toEqual([true, false, false, true]);
  });

  it("formats like docker logs, with -t putting the time first", () => {
    const e = { time: "T", stream: "stdout" as const, text: "x" };
    expect([formatEntry(e, false), formatEntry(e, true), formatEntry({ ...e, partial: true }, false)]).toEqual(["x\n", "T x\n", "x"]);
  });
});

describe("--since/--until and logging props", () => {
  it("takes durations back from now, RFC 3339 and Unix seconds", () => {
    const now = Date.parse("2026-12-06T22:00:00Z");
    expect(parseTimeBound("10m", now)).toBe(now - 600_000);
    expect(parseTimeBound("1h30m", now)).toBe(now - 5_400_000);
    expect(parseTimeBound("2026-12-06T21:00:00Z", now)).toBe(now - 3_600_000);
    expect(parseTimeBound("1796595567", now)).toBe(1796595567000);
    expect(() => parseTimeBound("yesterday", now)).toThrow(/not a time/);
  });

  it("validates logging with property paths", () => {
    expect(normalizeLogging({ maxSize: "10Mi", maxFiles: 3 }, "container.web.logging")).toEqual({ maxSize: "10Mi", maxFiles: 3 });
    expect(() => normalizeLogging({ maxSize: "ten" }, "container.web.logging")).toThrow(/container\.web\.logging\.maxSize/);
    expect(() => normalizeLogging({ maxFiles: 0 }, "container.web.logging")).toThrow(/container\.web\.logging\.maxFiles/);
    expect(() => normalizeLogging({ maxsize: "1Mi" }, "container.web.logging")).toThrow(/maxsize/);
  });
});
