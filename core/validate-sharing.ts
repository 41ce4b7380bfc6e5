/**
 * Namespace sharing across containers (`network`/`ipc`/`pid: { container }`), checked before planning:
 * the owner must be a container of this stack, not the sharer itself, and have the namespace to give.
 * Pure; each error names the sharer's property.
 */
import { ValidationError } from "./errors.js";
import { isRef, type DesiredResource, type PropValue, type Urn } from "./model/types.js";

const SHARED = ["network", "ipc", "pid"] as const;
type Shared = (typeof SHARED)[number];

/** The owner's urn when `value` is `{ container: <ref> }`. */
function ownerOf(value: PropValue | undefined): Urn | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const container = (value as { container?: PropValue }).container;
  return isRef(container) ? container.$ref : undefined;
}

export function validateSharing(resources: readonly DesiredResource[]): void {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  for (const sharer of resources) {
    if (sharer.kind !== "container") continue;
    for (const ns of SHARED) {
      const urn = ownerOf(sharer.props[ns]);
      if (urn === undefined) continue;
      const path = `container.${sharer.name}.${ns}.container`;
      const error = (reason: string) => new ValidationError(path, reason, sharer.location);
      if (urn === sharer.urn) throw error(`a container cannot join its own ${ns} namespace`);
      const owner = byUrn.get(urn);
      if (!owner) throw error(`${urn} is not declared in this stack (a namespace can only be shared with a container of the same stack)`);
      checkOwner(ns, sharer, owner, error);
    }
  }
}

function checkOwner(ns: Shared, sharer: DesiredResource, owner: DesiredResource, error: (reason: string) => ValidationError): void {
  const runs = (r: DesiredResource) => (r.props.desiredState ?? "running") !== "stopped";
  // The named netns outlives its owner's process; IPC and pid namespaces exist only while the owner runs.
  if (ns !== "network" && runs(sharer) && !runs(owner)) {
    throw error(`${owner.urn} is declared desiredState "stopped", so it has no ${ns} namespace to join`);
  }
  const next = ownerOf(owner.props.network);
  if (ns === "network" && next !== undefined) {
    throw error(`${owner.urn} itself joins ${next}'s network namespace: join ${next} directly`);
  }
}
