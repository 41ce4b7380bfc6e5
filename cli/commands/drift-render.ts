/**
 * Drift as text (terminal), JSON (stable schema: docs/drift-json.md) and Markdown (a PR comment or
 * chat message). The JSON always carries every key (null when empty), so consumers need no guards.
 */
import { summarizeFindings, type DriftFinding, type DriftStatus } from "../../core/drift/compare.js";
import type { PropValue } from "../../core/model/types.js";
import { formatValue } from "../render/plan-text.js";
import type { Style } from "../render/style.js";
import type { DriftScan } from "./drift-scan.js";

export const DRIFT_FORMAT_VERSION = "1.0";

function allFindings(scan: DriftScan): DriftFinding[] {
  return scan.stacks.flatMap((s) => s.report.findings);
}

const jsonValue = (value: PropValue | undefined): PropValue => (value === undefined ? null : value);

export function driftToJson(scan: DriftScan): Record<string, unknown> {
  const findings = allFindings(scan);
  return {
    format_version: DRIFT_FORMAT_VERSION,
    checked_at: scan.checkedAt,
    duration_ms: Math.round(scan.durationMs * 10) / 10,
    in_sync: findings.length === 0,
    summary: summarizeFindings(findings),
    stacks: scan.stacks.map(({ report }) => ({
      stack: report.stack,
      resources: report.resources,
      in_sync: report.inSync,
      summary: summarizeFindings(report.findings),
      findings: report.findings.map((f) => ({
        address: f.urn, type: f.kind, name: f.name, status: f.status, attribute: f.attribute ?? null,
        expected: jsonValue(f.expected), actual: jsonValue(f.actual), declared: jsonValue(f.declared), detail: f.detail ?? null,
      })),
    })),
  };
}

const SYMBOL: Record<DriftStatus, string> = { changed: "~", missing: "-", stopped: "!", unmanaged: "?", pending: "+" };

function findingLine(f: DriftFinding): string {
  const detail = f.detail ? ` (${f.detail})` : "";
  switch (f.status) {
    case "changed": {
      const declared = f.declared !== undefined ? `, program: ${formatValue(f.declared)}` : "";
      return `${f.urn} ${f.attribute}: ${formatValue(f.expected)} -> ${formatValue(f.actual)}${declared}${detail}`;
    }
    case "missing": return `${f.urn} is missing${detail}`;
    case "stopped": return `${f.urn} is ${String(f.actual)}, should be running${detail}`;
    case "unmanaged": return `${f.urn} is unmanaged${detail}`;
    case "pending": return `${f.urn} has an unapplied ${f.attribute} in the program${detail}`;
  }
}

const stackLabel = (stack: string) => (stack === "" ? "(no owner record)" : stack);

export function renderDriftText(scan: DriftScan, s: Style): string {
  const out: string[] = [];
  for (const { report } of scan.stacks) {
    if (report.inSync) {
      out.push(`${s.green("✓")} ${stackLabel(report.stack)}: in sync (${report.resources} resources)`);
      continue;
    }
    out.push(s.bold(`${stackLabel(report.stack)}: ${report.findings.length} finding(s) in ${report.resources} resources`));
    for (const f of report.findings) {
      const color = f.status === "changed" || f.status === "pending" ? s.yellow : s.red;
      out.push(`  ${color(SYMBOL[f.status])} ${findingLine(f)}`);
    }
  }
  if (scan.stacks.length === 0) out.push("No stacks in state and no cinfra objects on this host.");
  const findings = allFindings(scan);
  out.push("");
  out.push(findings.length === 0
    ? `No drift: ${scan.stacks.length} stack(s) checked in ${Math.round(scan.durationMs)} ms.`
    : `Drift: ${summaryText(findings)}. "cinfra apply --refresh" puts the program back; "cinfra refresh" accepts reality into state.`);
  return `${out.join("\n")}\n`;
}

function summaryText(findings: readonly DriftFinding[]): string {
  return Object.entries(summarizeFindings(findings)).filter(([, n]) => n > 0).map(([status, n]) => `${n} ${status}`).join(", ");
}

function cell(value: PropValue | undefined): string {
  if (value === undefined) return "";
  return `\`${formatValue(value).replace(/\|/g, "\\|").replace(/`/g, "'")}\``;
}

export function renderDriftMarkdown(scan: DriftScan): string {
  const findings = allFindings(scan);
  const out: string[] = [];
  if (findings.length === 0) {
    out.push(`### ✅ cinfra: no drift`, "", `${scan.stacks.length} stack(s), ${scan.stacks.reduce((n, x) => n + x.report.resources, 0)} resources checked at ${scan.checkedAt}.`);
    return `${out.join("\n")}\n`;
  }
  out.push(`### ⚠️ cinfra: drift found (${summaryText(findings)})`, "");
  out.push("| Stack | Resource | Status | Attribute | Expected (state) | Actual (host) | Detail |", "|---|---|---|---|---|---|---|");
  for (const { report } of scan.stacks) {
    for (const f of report.findings) {
      out.push(`| ${stackLabel(report.stack)} | \`${f.urn}\` | ${f.status} | ${f.attribute ?? ""} | ${cell(f.expected)} | ${cell(f.actual)} | ${(f.detail ?? "").replace(/\|/g, "\\|")} |`);
    }
  }
  out.push("", `Checked at ${scan.checkedAt}. Run \`cinfra apply --refresh\` to put the program back, or \`cinfra refresh\` to accept the host's state.`);
  return `${out.join("\n")}\n`;
}
