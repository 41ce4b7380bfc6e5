/** OCI image config JSON: written for imported rootfs images, read (and checked) for loaded ones. */
import { RuntimeError } from "../../../core/errors.js";
import { checkDigest } from "./digest.js";
import type { ImageConfig } from "./types.js";

/** Node's process.arch in OCI/Go terms. */
export function ociArchitecture(arch: string = process.arch): string {
  return ({ x64: "amd64", ia32: "386", arm: "arm", arm64: "arm64", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" } as Record<string, string>)[arch] ?? arch;
}

/**
 * The config of an imported rootfs. No timestamps, and a fixed key order: the same files and
 * settings always give the same bytes, so the same image id.
 */
export function importConfigJson(config: ImageConfig, diffIds: string[]): string {
  return JSON.stringify({ architecture: ociArchitecture(), os: "linux", config: dropUndefined(config), rootfs: { type: "layers", diff_ids: diffIds } });
}

export interface ParsedConfig {
  config: ImageConfig;
  diffIds: string[];
  os?: string;
  architecture?: string;
}

/** Read an image config blob: the container defaults cinfra uses and the layers' diffIDs. */
export function parseImageConfig(bytes: Buffer, where: string): ParsedConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch (cause) {
    throw new RuntimeError("IMAGE_CONFIG_INVALID", `${where}: image config is not JSON`, { cause });
  }
  const root = asObject(doc, where);
  const rootfs = asObject(root.rootfs, `${where}: rootfs`);
  if (!Array.isArray(rootfs.diff_ids)) throw invalid(where, "rootfs.diff_ids is not a list");
  const diffIds = rootfs.diff_ids.map((d, i) => checkDigest(d, `${where}: rootfs.diff_ids[${i}]`));
  const c = root.config === undefined || root.config === null ? {} : asObject(root.config, `${where}: config`);
  const config: ImageConfig = dropUndefined({
    Env: strings(c.Env, where, "Env"),
    Cmd: strings(c.Cmd, where, "Cmd"),
    Entrypoint: strings(c.Entrypoint, where, "Entrypoint"),
    WorkingDir: string(c.WorkingDir, where, "WorkingDir"),
    User: string(c.User, where, "User"),
    ExposedPorts: c.ExposedPorts == null ? undefined : (asObject(c.ExposedPorts, `${where}: ExposedPorts`) as Record<string, object>),
    StopSignal: string(c.StopSignal, where, "StopSignal"),
    Labels: c.Labels == null ? undefined : stringMap(c.Labels, where),
  });
  return { config, diffIds, os: string(root.os, where, "os"), architecture: string(root.architecture, where, "architecture") };
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new RuntimeError("IMAGE_CONFIG_INVALID", `${where} is not an object`);
  return value as Record<string, unknown>;
}

function invalid(where: string, why: string): RuntimeError {
  return new RuntimeError("IMAGE_CONFIG_INVALID", `${where}: ${why}`);
}

/** Docker writes null for an unset list; an empty string for an unset WorkingDir. */
function strings(value: unknown, where: string, field: string): string[] | undefined {
  if (value == null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw invalid(where, `config.${field} is not a list of strings`);
  return value as string[];
}

function string(value: unknown, where: string, field: string): string | undefined {
  if (value == null || value === "") return undefined;
  if (typeof value !== "string") throw invalid(where, `${field} is not a string`);
  return value;
}

function stringMap(value: unknown, where: string): Record<string, string> {
  const map = asObject(value, `${where}: Labels`);
  if (Object.values(map).some((v) => typeof v !== "string")) throw invalid(where, "config.Labels has a non-string value");
  return map as Record<string, string>;
}

export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
