/**
 * What the reconcile loop knows about itself: served as /status (JSON) and /metrics (Prometheus
 * text exposition format 0.0.4). Counters only grow for the life of the process.
 */
import { DRIFT_STATUSES, summarizeFindings, type DriftFinding } from "../../core/drift/compare.js";
import { KINDS } from "../../core/model/types.js";

export type TickOutcome = "applied" | "healed" | "in_sync" | "reported" | "failed";
export const TICK_OUTCOMES: readonly TickOutcome[] = ["applied", "healed", "in_sync", "reported", "failed"];

export interface TickRecord {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outcome: TickOutcome;
  commit?: string;
  error?: string;
}

export class ReconcileStatus {
  commit: string | null = null;
  subject: string | null = null;
  appliedCommit: string | null = null;
  lastApplyAt: Date | null = null;
  lastTick: TickRecord | null = null;
  nextTickAt: Date | null = null;
  consecutiveFailures = 0;
  findings: DriftFinding[] = [];
  driftCheckedAt: string | null = null;
  driftDurationMs = 0;
  readonly totals = new Map<TickOutcome, number>(TICK_OUTCOMES.map((o) => [o, 0]));

  constructor(readonly source: { repo: string; branch: string; path: string; stack: string; mode: string }) {}

  record(tick: TickRecord): void {
    this.lastTick = tick;
    this.totals.set(tick.outcome, (this.totals.get(tick.outcome) ?? 0) + 1);
    this.consecutiveFailures = tick.outcome === "failed" ? this.consecutiveFailures + 1 : 0;
  }

  healthy(): boolean {
    return this.lastTick?.outcome !== "failed";
  }

  toJson(): Record<string, unknown> {
    const summary = summarizeFindings(this.findings);
    return {
      ...this.source,
      commit: this.commit, subject: this.subject, applied_commit: this.appliedCommit,
      last_apply_at: this.lastApplyAt?.toISOString() ?? null,
      last_tick: this.lastTick && {
        started_at: this.lastTick.startedAt, finished_at: this.lastTick.finishedAt, duration_ms: Math.round(this.lastTick.durationMs),
        result: this.lastTick.outcome, commit: this.lastTick.commit ?? null, error: this.lastTick.error ?? null,
      },
      next_tick_at: this.nextTickAt?.toISOString() ?? null,
      consecutive_failures: this.consecutiveFailures,
      ticks: Object.fromEntries(this.totals),
      drift: {
        checked_at: this.driftCheckedAt, in_sync: this.findings.length === 0, summary,
        findings: this.findings.map((f) => ({ address: f.urn, status: f.status, attribute: f.attribute ?? null, expected: f.expected ?? null, actual: f.actual ?? null })),
      },
    };
  }

  toPrometheus(): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, rows: [Record<string, string>, number][]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of rows) out.push(`${name}${labelText(labels)} ${value}`);
    };
    const counts = new Map<string, number>();
    for (const f of this.findings) counts.set(`${f.kind}/${f.status}`, (counts.get(`${f.kind}/${f.status}`) ?? 0) + 1);
    metric("cinfra_drift_resources", "gauge", "Drift findings of the last check, by resource kind and status.",
      KINDS.flatMap((kind) => DRIFT_STATUSES.map((status): [Record<string, string>, number] => [{ kind, status }, counts.get(`${kind}/${status}`) ?? 0])));
    metric("cinfra_drift_in_sync", "gauge", "1 when the last drift check found nothing.", [[{}, this.findings.length === 0 ? 1 : 0]]);
    metric("cinfra_drift_check_duration_seconds", "gauge", "Duration of the last drift check.", [[{}, this.driftDurationMs / 1000]]);
    metric("cinfra_reconcile_total", "counter", "Reconcile ticks, by result.", TICK_OUTCOMES.map((o) => [{ result: o }, this.totals.get(o) ?? 0]));
    metric("cinfra_reconcile_consecutive_failures", "gauge", "Failed ticks in a row.", [[{}, this.consecutiveFailures]]);
    metric("cinfra_last_apply_timestamp_seconds", "gauge", "Unix time of the last apply by this loop (0: none yet).",
      [[{}, this.lastApplyAt ? this.lastApplyAt.getTime() / 1000 : 0]]);
    metric("cinfra_last_tick_timestamp_seconds", "gauge", "Unix time the last tick finished.",
      [[{}, this.lastTick ? Date.parse(this.lastTick.finishedAt) / 1000 : 0]]);
    metric("cinfra_last_tick_duration_seconds", "gauge", "Duration of the last tick.", [[{}, (this.lastTick?.durationMs ?? 0) / 1000]]);
    metric("cinfra_reconcile_info", "gauge", "The followed source and the commits seen and applied.", [[{
      repo: this.source.repo, branch: this.source.branch, path: this.source.path, stack: this.source.stack,
      commit: this.commit ?? "", applied_commit: this.appliedCommit ?? "",
    }, 1]]);
    return `${out.join("\n")}\n`;
  }
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`).join(",")}}`;
}
