import { describe, expect, it } from "vitest";
import type { DriftFinding } from "../../core/drift/compare.js";
import { nextDelayMs } from "../../cli/reconcile/backoff.js";
import { createLogger } from "../../cli/reconcile/log.js";
import { ReconcileStatus } from "../../cli/reconcile/reconcile-status.js";
import { parseListen } from "../../cli/reconcile/status-server.js";
import { driftToJson, renderDriftMarkdown } from "../../cli/commands/drift-render.js";
import type { DriftScan } from "../../cli/commands/drift-scan.js";

const finding: DriftFinding = {
  urn: "container.web", kind: "container", name: "web", status: "changed", attribute: "limits.memory", expected: "64Mi", actual: "80Mi",
};

describe("reconcile back-off", () => {
  it("waits one interval after a good tick, then backs off from a short first retry up to ten intervals", () => {
    expect(nextDelayMs(0, 30_000)).toBe(30_000);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => nextDelayMs(n, 30_000))).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    expect(nextDelayMs(1, 1_000)).toBe(1_000);
    expect(nextDelayMs(20, 1_000)).toBe(10_000);
  });
});

describe("reconcile logs", () => {
  it("writes one JSON object per line, or key=value text", () => {
    const lines: string[] = [];
    const now = () => new Date("2025-01-02T03:04:05.000Z");
    createLogger("json", { write: (t) => lines.push(t) }, now)("info", "tick", { result: "applied", commit: "abc", skipped: undefined });
    createLogger("text", { write: (t) => lines.push(t) }, now)("warn", "drift found", { findings: 2, hint: "pass --self-heal" });
    expect(JSON.parse(lines[0])).toEqual({ time: "2025-01-02T03:04:05.000Z", level: "info", msg: "tick", result: "applied", commit: "abc" });
    expect(lines[1]).toBe('2025-01-02T03:04:05.000Z WARN  drift found findings=2 hint="pass --self-heal"\n');
  });
});

describe("reconcile status and metrics", () => {
  const status = () => new ReconcileStatus({ repo: "/repo", branch: "main", path: "stacks/prod.ts", stack: "prod", mode: "apply+self-heal" });

  it("serves Prometheus text with drift by kind and status, ticks by result, the last apply time", () => {
    const s = status();
    s.findings = [finding];
    s.lastApplyAt = new Date(1_700_000_000_000);
    s.commit = "c0ffee";
    s.record({ startedAt: "2025-01-01T00:00:00Z", finishedAt: "2025-01-01T00:00:01Z", durationMs: 1000, outcome: "applied" });
    s.record({ startedAt: "2025-01-01T00:00:02Z", finishedAt: "2025-01-01T00:00:03Z", durationMs: 1000, outcome: "failed", error: "boom" });
    const text = s.toPrometheus();
    expect(text).toContain('cinfra_drift_resources{kind="container",status="changed"} 1\n');
    expect(text).toContain('cinfra_drift_resources{kind="network",status="missing"} 0\n');
    expect(text).toContain('cinfra_reconcile_total{result="applied"} 1\n');
    expect(text).toContain('cinfra_reconcile_total{result="failed"} 1\n');
    expect(text).toContain("cinfra_last_apply_timestamp_seconds 1700000000\n");
    expect(text).toContain("# TYPE cinfra_reconcile_total counter\n");
    expect(text).toMatch(/cinfra_reconcile_info\{repo="\/repo",.*commit="c0ffee".*\} 1/);
    expect(s.healthy()).toBe(false);
    expect(s.consecutiveFailures).toBe(1);
  });

  it("serves /status JSON with the last commit, the last tick and a drift summary", () => {
    const s = status();
    s.findings = [finding];
    s.appliedCommit = "abc";
    s.record({ startedAt: "2025-01-01T00:00:00Z", finishedAt: "2025-01-01T00:00:01Z", durationMs: 1000, outcome: "reported", commit: "abd" });
    const json = s.toJson() as { applied_commit: string; last_tick: { result: string }; drift: { in_sync: boolean; summary: { changed: number } } };
    expect(json.applied_commit).toBe("abc");
    expect(json.last_tick.result).toBe("reported");
    expect(json.drift.in_sync).toBe(false);
    expect(json.drift.summary.changed).toBe(1);
  });

  it("escapes label values", () => {
    const s = new ReconcileStatus({ repo: 'a"b\\c', branch: "main", path: "p", stack: "s", mode: "report-only" });
    expect(s.toPrometheus()).toContain('repo="a\\"b\\\\c"');
  });

  it("listens on loopback only", () => {
    expect(parseListen("127.0.0.1:9464")).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(parseListen("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(parseListen("localhost:80")).toEqual({ host: "127.0.0.1", port: 80 });
    expect(() => parseListen("0.0.0.0:9464")).toThrow(/not a loopback address/);
    expect(() => parseListen("9464")).toThrow(/not host:port/);
  });
});

describe("drift report formats", () => {
  const state = { stack: "prod", lineage: "l", serial: 1, resources: [], pending: [] };
  const scan: DriftScan = {
    checkedAt: "2025-01-01T00:00:00.000Z", durationMs: 12.34,
    stacks: [{ state, live: new Map(), probes: [], unmanaged: [], report: { stack: "prod", checkedAt: "2025-01-01T00:00:00.000Z", resources: 3, findings: [finding], inSync: false } }],
  };

  it("JSON carries every key, null when empty", () => {
    expect(driftToJson(scan)).toEqual({
      format_version: "1.0", checked_at: "2025-01-01T00:00:00.000Z", duration_ms: 12.3, in_sync: false,
      summary: { changed: 1, missing: 0, stopped: 0, unmanaged: 0, pending: 0 },
      stacks: [{
        stack: "prod", resources: 3, in_sync: false, summary: { changed: 1, missing: 0, stopped: 0, unmanaged: 0, pending: 0 },
        findings: [{
          address: "container.web", type: "container", name: "web", status: "changed", attribute: "limits.memory",
          expected: "64Mi", actual: "80Mi", declared: null, detail: null,
        }],
      }],
    });
  });

  it("Markdown is a table fit for a PR comment", () => {
    const md = renderDriftMarkdown(scan);
    expect(md).toContain("drift found (1 changed)");
    expect(md).toContain('| prod | `container.web` | changed | limits.memory | `"64Mi"` | `"80Mi"` |  |');
  });
});
