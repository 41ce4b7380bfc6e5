/**
 * schema.json is written by hand; these tests hold it to the core definitions: every prop the core
 * schema accepts is in it (probed from normalize's own "known:" lists), with a type that normalize
 * accepts, replacement marked exactly where the core says so; and the SDK is generated from it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../core/errors.js";
import { SCHEMAS, isUpdatable } from "../../core/kinds/index.js";
import { KINDS, type Kind } from "../../core/model/types.js";
import { normalizeInputs } from "../../provider/pulumi/check-inputs.js";
import { generateSdk } from "../../provider/pulumi/codegen/generate-sdk.js";
import { WIRE_NAME, toPulumiShape } from "../../provider/pulumi/references.js";
import { PACKAGE_SCHEMA, resourceSpec, type PropertySpec } from "../../provider/pulumi/schema.js";
import type { WireObject, WireValue } from "../../provider/pulumi/wire-values.js";

const P = { __probe: 1 };
/** Inputs with an unknown key at one object position, and where that position is in the schema. */
const PROBES: [Kind, string[], WireObject][] = [
  ["image", [], { rootfs: "/r", ...P }],
  ["image", ["config"], { rootfs: "/r", config: P }],
  ["image", ["build"], { build: { context: "/c", ...P } }],
  ["volume", [], P],
  ["network", [], P],
  ["container", [], { image: "i", ...P }],
  ["container", ["limits"], { image: "i", limits: P }],
  ["container", ["limits", "cpuset"], { image: "i", limits: { cpuset: P } }],
  ["container", ["limits", "blkio"], { image: "i", limits: { blkio: P } }],
  ["container", ["limits", "blkio", "throttle", "[]"], { image: "i", limits: { blkio: { throttle: [P] } } }],
  ["container", ["networks", "[]"], { image: "i", networks: [P] }],
  ["container", ["mounts", "[]"], { image: "i", mounts: [P] }],
  ["container", ["ports", "[]"], { image: "i", ports: [P] }],
  ["container", ["capabilities"], { image: "i", capabilities: P }],
  ["container", ["ulimits", "{}"], { image: "i", ulimits: { nofile: P } }],
  ["container", ["tmpfs", "[]"], { image: "i", tmpfs: [P] }],
  ["container", ["devices", "[]"], { image: "i", devices: [P] }],
];

/** Every prop set (but `network`, exclusive with `networks`): each must pass normalize unchanged. */
const FULL: Record<Kind, WireObject> = {
  image: { rootfs: "/srv/rootfs", config: { env: { A: "1" }, cmd: ["sh"], entrypoint: ["/init"], workdir: "/w", user: "app" } },
  volume: { labels: { "app.kubernetes.io/name": "db" } },
  network: { subnet: "10.9.0.0/24", gateway: "10.9.0.1", ipRange: "10.9.0.128/25", internal: false, masquerade: true, mtu: 1400 },
  container: {
    image: "img", command: ["a"], entrypoint: ["b"], env: { A: "1" }, workdir: "/w", user: "1000:1000", hostname: "h",
    limits: {
      memory: "64Mi", memoryReservation: "32Mi", memorySwap: -1, cpus: 0.5, cpuShares: 512, cpuset: { cpus: "0", mems: "0" }, pids: 10,
      blkio: { weight: 100, throttle: [{ device: "8:0", readBps: 1, writeBps: 2, readIops: 3, writeIops: 4 }] },
      netClassId: 1048577, netPriorities: { eth0: 5 }, hugepages: { "2MB": "64Mi" },
    },
    networks: [{ network: "n", ipv4: "10.0.0.5", aliases: ["a"] }], mounts: [{ volume: "v", target: "/data", readOnly: true }],
    restart: "always", stopTimeout: 5, stopSignal: "SIGINT", init: false, capabilities: { add: ["NET_ADMIN"], drop: ["MKNOD"] },
    privileged: false, readOnlyRootfs: true, noNewPrivileges: true, sysctls: { "net.core.somaxconn": "1024" },
    ulimits: { nofile: { soft: 1, hard: 2 } }, tmpfs: [{ target: "/t", size: "1Mi", mode: 0o1777 }], seccomp: "default",
    desiredState: "running", ports: [{ host: 1, container: 2, protocol: "udp", hostIp: "127.0.0.1" }], shmSize: "64Mi",
    devices: [{ path: "/dev/fuse", target: "/dev/fuse", permissions: "rwm" }], ipc: "container:web", pidMode: "container:web",
    userns: { uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }], gidMap: [{ containerId: 0, hostId: 100000, size: 65536 }] },
  },
};

const REF_IMAGE_KEYS = ["ref", "pullPolicy", "digest"];

function deref(spec: PropertySpec): Record<string, PropertySpec> | undefined {
  return spec.$ref ? PACKAGE_SCHEMA.types[spec.$ref.replace("#/types/", "")]?.properties : undefined;
}

/** Property names of the object type at a schema position ("[]": array items, "{}": map values). */
function schemaKeys(kind: Kind, path: string[]): string[] {
  let props: Record<string, PropertySpec> | undefined = resourceSpec(kind).inputProperties;
  let spec: PropertySpec | undefined;
  for (const step of path) {
    spec = step === "[]" ? spec?.items : step === "{}" ? spec?.additionalProperties : props?.[step];
    if (!spec) throw new Error(`schema has nothing at ${kind} ${path.join(".")}`);
    props = deref(spec);
  }
  return Object.keys(props ?? {}).sort();
}

function knownKeys(kind: Kind, input: WireObject): string[] {
  try {
    normalizeInputs(kind, input);
  } catch (error) {
    const known = error instanceof ValidationError && /known: (.*)\)$/.exec(error.reason);
    if (known) return known[1].split(", ").sort();
    throw error;
  }
  throw new Error("normalize accepted an unknown property");
}

/** Does `value` fit `spec`? Returns the paths that do not. */
function misfits(value: WireValue, spec: PropertySpec, at: string): string[] {
  if (spec.oneOf) return spec.oneOf.some((s) => misfits(value, s, at).length === 0) ? [] : [at];
  const props = deref(spec);
  if (props) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return [at];
    return Object.entries(value).flatMap(([k, v]) => (props[k] ? misfits(v, props[k], `${at}.${k}`) : [`${at}.${k} (not in schema)`]));
  }
  switch (spec.type) {
    case "string": return typeof value === "string" ? [] : [at];
    case "integer": return Number.isInteger(value) ? [] : [at];
    case "number": return typeof value === "number" ? [] : [at];
    case "boolean": return typeof value === "boolean" ? [] : [at];
    case "array": return Array.isArray(value) ? value.flatMap((v, i) => misfits(v, spec.items!, `${at}[${i}]`)) : [at];
    case "object": return value && typeof value === "object" && !Array.isArray(value)
      ? Object.entries(value).flatMap(([k, v]) => misfits(v, spec.additionalProperties!, `${at}.${k}`)) : [at];
    default: return [`${at} (no type)`];
  }
}

describe("schema.json against the core resource definitions", () => {
  it.each(PROBES)("%s %j: same properties as the core schema accepts", (kind, path, input) => {
    // Core props whose name Pulumi's outputs already use travel under their wire name (pid -> pidMode).
    const wire = (key: string) => (kind === "container" && path.length === 0 ? WIRE_NAME[key] ?? key : key);
    expect(schemaKeys(kind, path)).toEqual(knownKeys(kind, input).map(wire).sort());
  });

  it.each(KINDS)("%s: a value for every input passes normalize unchanged and fits the schema types", (kind) => {
    const full = FULL[kind];
    expect(toPulumiShape(normalizeInputs(kind, full))).toEqual(full);
    const inputs = resourceSpec(kind).inputProperties;
    // Exclusive alternatives cannot all sit in one value: an image has exactly one source (the ref one is probed below).
    const alternatives = kind === "image" ? REF_IMAGE_KEYS : kind === "container" ? ["network"] : [];
    const missing = Object.keys(inputs).filter((k) => !(k in full) && !alternatives.includes(k) && !(kind === "image" && ["ociLayout", "archive", "build"].includes(k)));
    expect(missing).toEqual([]);
    expect(Object.entries(full).flatMap(([k, v]) => misfits(v, inputs[k], k))).toEqual([]);
  });

  it("image: a registry ref with its policy and digest passes normalize unchanged", () => {
    const ref = { ref: "127.0.0.1:5000/app:1", pullPolicy: "always", digest: `sha256:${"a".repeat(64)}` };
    expect(toPulumiShape(normalizeInputs("image", ref))).toEqual(ref);
    expect(Object.keys(ref)).toEqual(REF_IMAGE_KEYS);
  });

  it.each(KINDS)("%s: willReplaceOnChanges exactly where the core forces replacement", (kind) => {
    for (const [name, spec] of Object.entries(resourceSpec(kind).inputProperties)) {
      expect([name, spec.willReplaceOnChanges === true]).toEqual([name, !isUpdatable(SCHEMAS[kind], name)]);
    }
  });

  it.each(KINDS)("%s: outputs hold every input and every runtime output", (kind) => {
    const outputs = Object.keys(resourceSpec(kind).properties);
    expect(outputs).toEqual(expect.arrayContaining(Object.keys(resourceSpec(kind).inputProperties)));
    expect(outputs).toEqual(expect.arrayContaining(SCHEMAS[kind].outputs.filter((o) => o !== "id")));
  });
});

describe("the TypeScript SDK", () => {
  it("is what the generator makes from schema.json (run provider/pulumi/codegen/write-sdk.mjs after editing it)", () => {
    for (const [file, text] of generateSdk(PACKAGE_SCHEMA)) {
      expect([file, readFileSync(join(import.meta.dirname, "../../provider/pulumi/sdk", file), "utf8")]).toEqual([file, text]);
    }
  });
});
