import { ValidationError } from "../errors.js";
import { ABSOLUTE_PATH, oneOf, record, string, stringArray, stringMap } from "../model/check.js";
import type { Props } from "../model/types.js";
import type { KindSchema } from "./kind-schema.js";

/** Image config defaults a rootfs import carries (like `docker import --change`). */
const CONFIG_KEYS = ["env", "cmd", "entrypoint", "workdir", "user"] as const;
const ENV_NAME = { re: /^[A-Za-z_][A-Za-z0-9_]*$/, what: "an environment variable name" };

function normalizeConfig(raw: unknown, path: string): Props {
  const cfg = record(raw, path, CONFIG_KEYS);
  const out: Props = {};
  if (cfg.env !== undefined) out.env = stringMap(cfg.env, `${path}.env`, ENV_NAME);
  if (cfg.cmd !== undefined) out.cmd = stringArray(cfg.cmd, `${path}.cmd`);
  if (cfg.entrypoint !== undefined) out.entrypoint = stringArray(cfg.entrypoint, `${path}.entrypoint`);
  if (cfg.workdir !== undefined) out.workdir = string(cfg.workdir, `${path}.workdir`, ABSOLUTE_PATH);
  if (cfg.user !== undefined) out.user = string(cfg.user, `${path}.user`);
  return out;
}

const ARG_NAME = { re: /^[A-Za-z_][A-Za-z0-9_]*$/, what: "a build arg name" };
const STAGE = { re: /^[A-Za-z][A-Za-z0-9._-]*$/, what: "a stage name" };

/**
 * A Dockerfile build. `inputDigest` (the hash of the Dockerfile, the context's files and the args)
 * is computed at plan time, so a changed input plans as the image's replacement.
 */
function normalizeBuild(raw: unknown, path: string): Props {
  const b = record(raw, path, ["context", "file", "args", "target", "inputDigest"]);
  const out: Props = { context: string(b.context, `${path}.context`, ABSOLUTE_PATH) };
  if (b.file !== undefined) out.file = string(b.file, `${path}.file`, ABSOLUTE_PATH);
  if (b.args !== undefined) out.args = stringMap(b.args, `${path}.args`, ARG_NAME);
  if (b.target !== undefined) out.target = string(b.target, `${path}.target`, STAGE);
  if (b.inputDigest !== undefined) out.inputDigest = string(b.inputDigest, `${path}.inputDigest`, DIGEST);
  return out;
}

/** Where an image comes from: exactly one of these. */
const SOURCES = ["rootfs", "ref", "ociLayout", "archive", "build"] as const;
const DIGEST = { re: /^sha256:[0-9a-f]{64}$/, what: "a digest (sha256:<64 hex>)" };
const REF = { re: /^[^\s]+$/, what: "an image reference (host[:port]/repo[:tag][@sha256:...])" };

export const imageSchema: KindSchema = {
  kind: "image",
  normalize(raw, path) {
    const props = record(raw, path, [...SOURCES, "config", "pullPolicy", "digest"]);
    const given = SOURCES.filter((key) => props[key] !== undefined);
    if (given.length !== 1) {
      const why = given.length === 0 ? "none is given" : `${given.join(" and ")} are given`;
      throw new ValidationError(path, `an image needs exactly one source of ${SOURCES.join(", ")}; ${why}`);
    }
    const source = given[0];
    const out: Props = {};
    // The SDK resolves relative paths against the stack file's directory before validation.
    if (source === "ref") out.ref = string(props.ref, `${path}.ref`, REF);
    else if (source === "build") out.build = normalizeBuild(props.build, `${path}.build`);
    else out[source] = string(props[source], `${path}.${source}`, ABSOLUTE_PATH);
    if (props.pullPolicy !== undefined) {
      if (source !== "ref") throw new ValidationError(`${path}.pullPolicy`, "applies only to an image with ref");
      out.pullPolicy = oneOf(props.pullPolicy, `${path}.pullPolicy`, ["missing", "always"]);
    }
    if (props.digest !== undefined) {
      if (source !== "ref" || (out.ref as string).includes("@")) throw new ValidationError(`${path}.digest`, "applies only to an image with a tag ref (a ref@digest pins itself)");
      out.digest = string(props.digest, `${path}.digest`, DIGEST);
    }
    if (props.config !== undefined) {
      if (source !== "rootfs") throw new ValidationError(`${path}.config`, "applies only to a rootfs import (other images carry their config)");
      out.config = normalizeConfig(props.config, `${path}.config`);
    }
    return out;
  },
  updatable: ["pullPolicy"],
  outputs: ["id", "digest", "layers", "env", "cmd", "entrypoint", "workdir", "user"],
};
