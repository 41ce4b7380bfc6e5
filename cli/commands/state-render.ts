/** How state rows are shown: sealed secrets as `(sensitive)`, never their ciphertext. */
import { SENSITIVE } from "../../core/config/redact.js";
import type { ResourceState } from "../../core/model/types.js";
import { isSealed } from "../../state/secrets/sealing-store.js";

function hideSealed(value: unknown): unknown {
  if (isSealed(value)) return SENSITIVE;
  if (Array.isArray(value)) return value.map(hideSealed);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hideSealed(v)]));
  return value;
}

/** The row as `state show --json` prints it. */
export function shownRow(row: ResourceState): ResourceState {
  return { ...row, inputs: hideSealed(row.inputs) as ResourceState["inputs"], outputs: hideSealed(row.outputs) as ResourceState["outputs"] };
}

function indent(json: unknown): string {
  return JSON.stringify(json, null, 2).split("\n").map((l) => `  ${l}`).join("\n");
}

export function formatRow(stack: string, row: ResourceState): string {
  const shown = shownRow(row);
  return [
    `# ${row.urn} (stack ${stack})`,
    `id: ${row.id}`,
    `depends on: ${row.dependsOn.length ? row.dependsOn.join(", ") : "-"}`,
    "inputs:", indent(shown.inputs),
    "outputs:", indent(shown.outputs),
    "",
  ].join("\n");
}

export function rowsTable(rows: { stack: string; row: ResourceState }[]): string {
  if (rows.length === 0) return "No resources in state.\n";
  const cells = rows.map(({ stack, row }) => [stack, row.urn, row.id.replace(/^sha256:/, "").slice(0, 12)]);
  const header = ["STACK", "RESOURCE", "ID"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  return [header, ...cells].map((line) => line.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}
