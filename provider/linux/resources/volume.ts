/** Volumes: a directory per volume under `<libRoot>/volumes/<id>/_data`, owner.json beside it. */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { KindOperations } from "../../../core/runtime.js";
import type { RuntimeConfig } from "../config.js";
import { readOwner, writeOwner } from "./owner.js";

export function volumeDir(config: RuntimeConfig, id: string): string {
  return join(config.libRoot, "volumes", id);
}

export function volumeOperations(config: RuntimeConfig): KindOperations {
  return {
    async create(ctx, req) {
      const dir = volumeDir(config, req.id);
      mkdirSync(join(dir, "_data"), { recursive: true, mode: 0o755 });
      writeOwner(dir, { stack: ctx.stack, kind: "volume", name: req.name, id: req.id, createdAt: new Date().toISOString() });
      return { id: req.id, outputs: { id: req.id, mountpoint: join(dir, "_data") } };
    },
    // Labels live in state only; nothing on the host changes.
    async update(_ctx, prior) {
      return prior.outputs;
    },
    async delete(_ctx, prior) {
      rmSync(volumeDir(config, prior.id), { recursive: true, force: true });
    },
    async read(_ctx, prior) {
      const dir = volumeDir(config, prior.id);
      if (!existsSync(join(dir, "_data")) || !readOwner(dir)) return null;
      return { id: prior.id, props: prior.inputs, outputs: { id: prior.id, mountpoint: join(dir, "_data") } };
    },
  };
}
