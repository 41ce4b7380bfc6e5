/**
 * References between resources. In a Pulumi program a container names its image, networks and
 * volumes by their ids (plain strings); the core schemas expect SDK resource objects. A branded
 * stand-in per id lets `normalize` run unchanged, and turns into `{ $ref: "<kind>.<id>" }`.
 */
import { RESOURCE_BRAND, type BrandedResource } from "../../core/model/check.js";
import { isRef, parseUrn, urnOf, type Kind, type PropValue, type Props, type Urn } from "../../core/model/types.js";
import { refsIn } from "../../core/planner/props-path.js";
import type { WireValue } from "./wire-values.js";

export function standIn(kind: Kind, id: string): BrandedResource {
  return { [RESOURCE_BRAND]: true, kind, name: id, urn: urnOf(kind, id) };
}

type Raw = Record<string, unknown>;

const asList = (value: unknown): unknown[] | null => (Array.isArray(value) ? value : null);
const ref = (kind: Kind, value: unknown): unknown => (typeof value === "string" ? standIn(kind, value) : value);

/** Pulumi-shaped inputs (ids at reference positions) as the raw input `normalize` expects. */
export function toCoreRaw(kind: Kind, inputs: Raw): Raw {
  if (kind !== "container") return inputs;
  const out: Raw = { ...inputs, image: ref("image", inputs.image) };
  const networks = asList(inputs.networks);
  if (networks) {
    out.networks = networks.map((n) => (typeof n === "string" ? standIn("network", n)
      : isObject(n) ? { ...n, network: ref("network", n.network) } : n));
  }
  const mounts = asList(inputs.mounts);
  if (mounts) out.mounts = mounts.map((m) => (isObject(m) && m.volume !== undefined ? { ...m, volume: ref("volume", m.volume) } : m));
  for (const key of SHARED_MODES) {
    const mode = inputs[WIRE_NAME[key] ?? key];
    if (typeof mode === "string" && mode.startsWith(CONTAINER_MODE)) out[key] = { container: standIn("container", mode.slice(CONTAINER_MODE.length)) };
  }
  if ("pidMode" in out) {
    if (typeof out.pidMode === "string" && !out.pidMode.startsWith(CONTAINER_MODE)) out.pid = out.pidMode; // normalize names the bad value
    delete out.pidMode;
  }
  return out;
}

/**
 * Wire names of core props whose own name is taken in Pulumi's merged inputs-and-outputs: the container's
 * `pid` output is its host pid, so the shared pid namespace travels as `pidMode` (Docker's own word).
 */
export const WIRE_NAME: Readonly<Record<string, string>> = { pid: "pidMode" };

/** Docker's spelling of a joined namespace, `container:<id>`: Pulumi's string props carry it as is. */
const CONTAINER_MODE = "container:";
const SHARED_MODES = ["network", "ipc", "pid"] as const;

function isObject(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Canonical props with every reference back as the referenced resource's id. */
export function toPulumiShape(props: Props): { [key: string]: WireValue } {
  const out = convert(props) as { [key: string]: WireValue };
  for (const key of SHARED_MODES) {
    const mode = out[key];
    if (!isObject(mode) || typeof mode.container !== "string") continue; // the `pid` output is a number
    const wire = WIRE_NAME[key] ?? key;
    if (wire !== key) delete out[key];
    out[wire] = `${CONTAINER_MODE}${mode.container}`;
  }
  return out;
}

function convert(value: PropValue): WireValue {
  if (isRef(value)) return parseUrn(value.$ref).name;
  if (Array.isArray(value)) return value.map(convert);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
  return value;
}

/** The resources these props reference, as urns (`image.<id>`), without repeats. */
export function referencedUrns(props: Props): Urn[] {
  return [...new Set(refsIn(props))] as Urn[];
}
