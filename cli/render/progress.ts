/** Per-resource apply progress as plain lines (Terraform's wording), safe for logs and CI. */
import type { ApplyEvent } from "../../core/apply/applier.js";
import type { Style } from "./style.js";

const VERB: Record<string, [string, string]> = {
  create: ["Creating...", "Creation complete"],
  update: ["Modifying...", "Modifications complete"],
  delete: ["Destroying...", "Destruction complete"],
  move: ["Moving state...", "Moved"],
  record: ["Recording options...", "Recorded"],
  forget: ["Removing from state (retainOnDelete)...", "Removed from state, left running"],
};

export function progressLine(event: ApplyEvent, s: Style): string | null {
  const [starting, finished] = VERB[event.op];
  const secs = event.elapsedMs !== undefined ? `${(event.elapsedMs / 1000).toFixed(1)}s` : "";
  switch (event.phase) {
    case "start": return `${s.bold(event.urn)}: ${starting}`;
    case "progress": return `${s.bold(event.urn)}: ${event.message}`;
    case "done": return `${s.bold(event.urn)}: ${finished} after ${secs}${event.id ? ` [id=${event.id.slice(0, 19)}]` : ""}`;
    case "failed": return `${s.red(s.bold(event.urn))}: ${s.red(`${event.op} failed after ${secs}`)}`;
    case "skipped": return `${s.dim(`${event.urn}: skipped (a dependency failed or apply was interrupted)`)}`;
  }
}
