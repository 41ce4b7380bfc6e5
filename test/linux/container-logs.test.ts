/** The shim's CRI log: timestamps, streams, partial lines, --since, size rotation under load, following. */
import { readFileSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResourceState } from "../../core/model/types.js";
import type { LogEntry, LogOptions } from "../../core/runtime.js";
import { containerPaths } from "../../provider/linux/resources/container-paths.js";
import { logFiles } from "../../provider/linux/resources/logs.js";
import { RuntimeHarness } from "../helpers/runtime-harness.js";

const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

describe("container logs", () => {
  const h = new RuntimeHarness();
  const run = (name: string, command: string, extra: Record<string, unknown> = {}) =>
    h.shell(name, command, extra);
  const entries = async (c: ResourceState, options: Partial<LogOptions> = {}) => {
    const out: LogEntry[] = [];
    for await (const e of h.runtime.containers.logs(c, { follow: false, ...options })) out.push(e);
    return out;
  };

  beforeAll(async () => {
    await h.busyboxImage();
  });
  afterAll(async () => {
    expect(await h.teardown()).toEqual([]);
  });

  it("stamps each line with its stream and time, and keeps an unterminated last line as partial", async () => {
    const c = await run("streams", "echo out; echo err >&2; sleep 0.2; printf tail");
    await h.waitExit(c);
    const got = await entries(c);
    expect(got.map(({ stream, text, partial }) => ({ stream, text, partial }))).toEqual([
      { stream: "stdout", text: "out", partial: undefined },
      { stream: "stderr", text: "err", partial: undefined },
      { stream: "stdout", text: "tail", partial: true },
    ]);
    for (const e of got) expect(e.time).toMatch(RFC3339_NANO);
    const raw = readFileSync(containerPaths(h.config, c.id).log, "utf8");
    expect(raw).toMatch(/^\S+ stdout F out\n\S+ stderr F err\n\S+ stdout P tail\n$/);
  });

  it("filters by time (--since, --until) and takes the last lines (--tail)", async () => {
    const c = await run("timed", "echo early; sleep 1; echo late1; echo late2");
    await h.waitExit(c);
    const all = await entries(c);
    expect(all.map((e) => e.text)).toEqual(["early", "late1", "late2"]);
    const cut = Date.parse(all[0].time) + 500;
    expect((await entries(c, { since: cut })).map((e) => e.text)).toEqual(["late1", "late2"]);
    expect((await entries(c, { until: cut })).map((e) => e.text)).toEqual(["early"]);
    expect((await entries(c, { tail: 2 })).map((e) => e.text)).toEqual(["late1", "late2"]);
  });

  it("joins a line longer than 16 KiB from its parts", async () => {
    const c = await run("long", "head -c 40000 /dev/zero | tr '\\0' x; echo; echo after");
    await h.waitExit(c);
    const got = await entries(c);
    expect(got.map((e) => e.text.length)).toEqual([40000, 5]);
    const tags = readFileSync(containerPaths(h.config, c.id).log, "utf8").trim().split("\n").map((l) => l.split(" ")[2]);
    expect(tags).toEqual(["P", "P", "F", "F"]);
  });

  it("rotates at maxSize, keeps maxFiles, reads across them in order, and frees converted raw bytes", async () => {
    const c = await run("chatty", "seq 1 40000 | sed 's/$/ some padding to make the line longer/'", { logging: { maxSize: "64Ki", maxFiles: 3 } });
    await h.waitExit(c, 60_000);
    const paths = containerPaths(h.config, c.id);
    expect(logFiles(paths.log)).toEqual([`${paths.log}.2`, `${paths.log}.1`, paths.log]);
    for (const f of logFiles(paths.log)) expect(statSync(f).size).toBeLessThanOrEqual(64 * 1024);
    const numbers = (await entries(c)).map((e) => Number(e.text.split(" ")[0]));
    expect(numbers.at(-1)).toBe(40000);
    expect(numbers[0]).toBeGreaterThan(1); // the oldest were rotated out
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => numbers[0] + i));
    const raw = statSync(paths.stdoutRaw);
    expect(raw.size).toBeGreaterThan(1_500_000);
    expect(raw.blocks * 512).toBeLessThan(8192); // punched: the raw file holds (almost) nothing on disk
  });

  it("follows a container that writes after following started, and ends when it is gone", async () => {
    const c = await run("follow", "sleep 0.5; for i in 1 2 3; do echo line$i; sleep 0.1; done");
    const seen: string[] = [];
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 15_000);
    for await (const e of h.runtime.containers.logs(c, { follow: true, signal: stop.signal })) seen.push(e.text);
    clearTimeout(timer);
    expect(stop.signal.aborted).toBe(false);
    expect(seen).toEqual(["line1", "line2", "line3"]);
  });

  it("follows across a rotation", async () => {
    // A writer paced like a busy service (a file lasts ~0.1 s, 5 are kept): the follower reads on through each rename.
    const c = await run("rotfollow", "sleep 0.3; for i in $(seq 0 49); do seq $((i*100+1)) $((i*100+100)); sleep 0.05; done",
      { logging: { maxSize: "8Ki", maxFiles: 5 } });
    const seen: number[] = [];
    for await (const e of h.runtime.containers.logs(c, { follow: true })) seen.push(Number(e.text));
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
  });
});
