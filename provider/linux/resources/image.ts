/**
 * Image resources: a rootfs directory or tarball imported into the content-addressed store (one
 * layer, deterministic, so the same files give the same image id). The resource holds a reference
 * on the image; destroying it removes the image only when nothing else (stack or container) uses it.
 */
import type { KindOperations } from "../../../core/runtime.js";
import type { Props } from "../../../core/model/types.js";
import type { ImageRecord, ImageStore } from "../images/index.js";

interface ImageInputs {
  rootfs: string;
  config?: { env?: Record<string, string>; cmd?: string[]; entrypoint?: string[]; workdir?: string; user?: string };
}

const holderOf = (stack: string, name: string) => `image-resource:${stack}/${name}`;

/** The image config as container defaults (env as a map), the shape containers read from outputs. */
export function imageOutputs(record: ImageRecord): Props {
  const c = record.config;
  const out: Props = { id: record.id, layers: record.layers };
  if (c.Env) out.env = Object.fromEntries(c.Env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  if (c.Cmd) out.cmd = c.Cmd;
  if (c.Entrypoint) out.entrypoint = c.Entrypoint;
  if (c.WorkingDir) out.workdir = c.WorkingDir;
  if (c.User) out.user = c.User;
  return out;
}

export function imageOperations(images: ImageStore): KindOperations {
  return {
    async create(ctx, req) {
      const inputs = req.props as unknown as ImageInputs;
      ctx.progress(`importing ${inputs.rootfs}`);
      const record = await images.importRootfs(inputs.rootfs, {
        Env: inputs.config?.env && Object.entries(inputs.config.env).map(([k, v]) => `${k}=${v}`),
        Cmd: inputs.config?.cmd,
        Entrypoint: inputs.config?.entrypoint,
        WorkingDir: inputs.config?.workdir,
        User: inputs.config?.user,
      });
      images.markInUse(record.id, holderOf(ctx.stack, req.name));
      return { id: record.id, outputs: imageOutputs(record) };
    },
    async update(_ctx, prior) {
      return prior.outputs;
    },
    async delete(ctx, prior) {
      // A create interrupted before it returned left only the applier's id, not a digest: an image it may have
      // imported holds no reference and goes with the next prune.
      if (!/^sha256:[0-9a-f]{64}$/.test(prior.id)) return;
      images.release(prior.id, holderOf(ctx.stack, prior.name));
      images.removeImageIfUnused(prior.id);
    },
    async read(_ctx, prior) {
      const record = images.getImage(prior.id);
      return record ? { id: record.id, props: prior.inputs, outputs: imageOutputs(record) } : null;
    },
  };
}
