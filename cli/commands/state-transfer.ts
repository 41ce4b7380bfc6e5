/**
 * The `cinfra state export` file (the stores' StackExport: one stack's rows, pending operations and
 * config exactly as stored, secrets sealed), checked field by field before `state import` writes it.
 */
import { ValidationError } from "../../core/errors.js";
import { KINDS, type PendingOperation, type ResourceState } from "../../core/model/types.js";
import { STACK_EXPORT_FORMAT, type StackExport } from "../../state/store-extras.js";
import { storedOptionsField } from "../../state/stored-options.js";
import type { SecretsKeyRecord } from "../../state/secrets/cipher.js";
import type { ConfigEntry } from "../../state/secrets/config-store.js";

export const STATE_FORMAT = STACK_EXPORT_FORMAT;
export type StateExport = StackExport;

type Obj = Record<string, unknown>;

function bad(path: string, reason: string): never {
  throw new ValidationError(path, reason);
}

function obj(value: unknown, path: string): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value)) bad(path, "expected an object");
  return value as Obj;
}

function str(value: unknown, path: string): string {
  if (typeof value !== "string") bad(path, "expected a string");
  return value;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) bad(path, "expected an array");
  return value;
}

function resource(value: unknown, path: string): ResourceState {
  const r = obj(value, path);
  const kind = str(r.kind, `${path}.kind`);
  if (!KINDS.includes(kind as ResourceState["kind"])) bad(`${path}.kind`, `"${kind}" is not one of ${KINDS.join(", ")}`);
  const name = str(r.name, `${path}.name`);
  const urn = str(r.urn, `${path}.urn`);
  if (urn !== `${kind}.${name}`) bad(`${path}.urn`, `"${urn}" does not match kind and name (${kind}.${name})`);
  const dependsOn = list(r.dependsOn, `${path}.dependsOn`).map((d, i) => str(d, `${path}.dependsOn[${i}]`));
  return {
    urn: urn as ResourceState["urn"], kind: kind as ResourceState["kind"], name, id: str(r.id, `${path}.id`),
    inputs: obj(r.inputs, `${path}.inputs`) as ResourceState["inputs"], outputs: obj(r.outputs, `${path}.outputs`) as ResourceState["outputs"],
    dependsOn: dependsOn as ResourceState["dependsOn"], ...storedOptions(r.options, `${path}.options`),
  };
}

/** protect/retainOnDelete kept with the row (files from before they existed have none). */
function storedOptions(value: unknown, path: string): Pick<ResourceState, "options"> {
  if (value === undefined) return {};
  const o = obj(value, path);
  for (const [key, flag] of Object.entries(o)) {
    if (key !== "protect" && key !== "retainOnDelete") bad(`${path}.${key}`, "unknown option (expected protect or retainOnDelete)");
    if (typeof flag !== "boolean") bad(`${path}.${key}`, "expected true or false");
  }
  return storedOptionsField(o);
}

function pendingOp(value: unknown, path: string): PendingOperation {
  const p = obj(value, path);
  const op = str(p.op, `${path}.op`);
  if (!["create", "update", "delete"].includes(op)) bad(`${path}.op`, `"${op}" is not create, update or delete`);
  return {
    urn: str(p.urn, `${path}.urn`) as PendingOperation["urn"], op: op as PendingOperation["op"], id: str(p.id, `${path}.id`),
    startedAt: str(p.startedAt, `${path}.startedAt`), ...(p.props !== undefined ? { props: obj(p.props, `${path}.props`) as PendingOperation["props"] } : {}),
  };
}

function configEntry(value: unknown, path: string): ConfigEntry {
  const e = obj(value, path);
  if (typeof e.secret !== "boolean") bad(`${path}.secret`, "expected true or false");
  return { key: str(e.key, `${path}.key`), value: str(e.value, `${path}.value`), secret: e.secret, updatedAt: str(e.updatedAt, `${path}.updatedAt`) };
}

/** Parse and check an export; every problem names its place, e.g. `state.resources[3].urn`. */
export function parseExport(text: string): StateExport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    bad("state", `is not JSON (${(error as Error).message})`);
  }
  const f = obj(raw, "state");
  if (f.format !== STATE_FORMAT) bad("state.format", `expected "${STATE_FORMAT}" (a file written by cinfra state export)`);
  if (f.version !== 1) bad("state.version", `version ${String(f.version)} is not supported`);
  const resources = list(f.resources, "state.resources").map((r, i) => resource(r, `state.resources[${i}]`));
  const seen = new Set<string>();
  for (const [i, r] of resources.entries()) {
    if (seen.has(r.urn)) bad(`state.resources[${i}].urn`, `${r.urn} appears twice`);
    seen.add(r.urn);
  }
  for (const [i, r] of resources.entries()) {
    r.dependsOn.forEach((d, j) => {
      if (!seen.has(d)) bad(`state.resources[${i}].dependsOn[${j}]`, `${d} is not in the file`);
    });
  }
  const key = f.secretsKey === null || f.secretsKey === undefined ? null : obj(f.secretsKey, "state.secretsKey");
  const config = list(f.config ?? [], "state.config").map((e, i) => configEntry(e, `state.config[${i}]`));
  if (config.some((e) => e.secret) && !key) bad("state.secretsKey", "secret config values need the stack's key record");
  return {
    format: STATE_FORMAT, version: 1, exportedAt: str(f.exportedAt, "state.exportedAt"), stack: str(f.stack, "state.stack"),
    lineage: str(f.lineage, "state.lineage"), serial: typeof f.serial === "number" ? f.serial : bad("state.serial", "expected a number"),
    resources, pending: list(f.pending ?? [], "state.pending").map((p, i) => pendingOp(p, `state.pending[${i}]`)), config,
    secretsKey: key && { kdf: kdfOf(key.kdf), salt: str(key.salt, "state.secretsKey.salt"), check: str(key.check, "state.secretsKey.check") },
  };
}

function kdfOf(value: unknown): SecretsKeyRecord["kdf"] {
  if (value !== "scrypt" && value !== "hkdf") bad("state.secretsKey.kdf", "expected \"scrypt\" or \"hkdf\"");
  return value;
}
