import { ABSOLUTE_PATH, record, string, stringArray, stringMap } from "../model/check.js";
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

export const imageSchema: KindSchema = {
  kind: "image",
  normalize(raw, path) {
    const props = record(raw, path, ["rootfs", "config"]);
    const out: Props = {};
    // The SDK resolves a relative rootfs against the stack file's directory before validation.
    out.rootfs = string(props.rootfs, `${path}.rootfs`, ABSOLUTE_PATH);
    if (props.config !== undefined) out.config = normalizeConfig(props.config, `${path}.config`);
    return out;
  },
  updatable: [],
  outputs: ["id", "layers", "env", "cmd", "entrypoint", "workdir", "user"],
};
