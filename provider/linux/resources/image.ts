/**
 * Image resources: from a registry `ref`, an OCI layout, a `docker save` archive, or a rootfs
 * directory or tarball imported as one deterministic layer. The resource holds a reference on the
 * image; destroying it removes the image only when nothing else (stack or container) uses it.
 * `digest` (outputs) is the manifest digest a ref resolved to, else the image id.
 */
import type { KindOperations, OperationContext } from "../../../core/runtime.js";
import type { Props } from "../../../core/model/types.js";
import { RuntimeError } from "../../../core/errors.js";
import type { ImageRecord, ImageStore } from "../images/index.js";
import { formatReference, parseReference, pullImage, type PullProgress } from "../images/registry/index.js";
import type { BuildRequest } from "../build/builder.js";

interface ImageInputs {
  rootfs?: string;
  ref?: string;
  pullPolicy?: "missing" | "always";
  digest?: string;
  ociLayout?: string;
  archive?: string;
  config?: { env?: Record<string, string>; cmd?: string[]; entrypoint?: string[]; workdir?: string; user?: string };
  build?: BuildRequest & { inputDigest?: string };
}

/** Builds an image from a Dockerfile (provider/linux/build), with the runtime's cgroups and dirs for RUN. */
export type ImageBuilder = (request: BuildRequest, progress: (message: string) => void) => Promise<ImageRecord>;

/**
 * A built image's holder carries its input digest: a rebuild that changed only a comment yields the
 * same image id, and the replaced resource's delete must not drop the new one's hold on it.
 */
const holderOf = (stack: string, name: string, inputs?: ImageInputs) =>
  `image-resource:${stack}/${name}${inputs?.build?.inputDigest ? `#${inputs.build.inputDigest}` : ""}`;

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

export function imageOperations(images: ImageStore, build?: ImageBuilder): KindOperations {
  return {
    async create(ctx, req) {
      const inputs = req.props as unknown as ImageInputs;
      const { record, digest } = await acquire(images, inputs, ctx.progress, build);
      images.markInUse(record.id, holderOf(ctx.stack, req.name, inputs));
      return { id: record.id, outputs: { ...imageOutputs(record), digest } };
    },
    async update(_ctx, prior) {
      return prior.outputs;
    },
    async delete(ctx, prior) {
      // A create interrupted before it returned left only the applier's id, not a digest: an image it may have
      // imported holds no reference and goes with the next prune.
      if (!/^sha256:[0-9a-f]{64}$/.test(prior.id)) return;
      images.release(prior.id, holderOf(ctx.stack, prior.name, prior.inputs as unknown as ImageInputs));
      images.removeImageIfUnused(prior.id);
    },
    async read(_ctx, prior) {
      const record = images.getImage(prior.id);
      return record ? { id: record.id, props: prior.inputs, outputs: { ...imageOutputs(record), digest: prior.outputs.digest ?? record.id } } : null;
    },
  };
}

async function acquire(
  images: ImageStore, inputs: ImageInputs, progress: OperationContext["progress"], build: ImageBuilder | undefined,
): Promise<{ record: ImageRecord; digest: string }> {
  if (inputs.build !== undefined) {
    if (!build) throw new RuntimeError("IMAGE_SOURCE", "this runtime cannot build images");
    const { context, file, args, target } = inputs.build;
    progress(`building ${file ?? `${context}/Dockerfile`}`);
    const record = await build({ context, file, args, target }, progress);
    return { record, digest: record.id };
  }
  if (inputs.ref !== undefined) {
    const ref = parseReference(inputs.ref, "ref");
    const name = formatReference(ref);
    // With "missing", an image the store holds under this name (pulled, loaded or committed) needs no registry.
    const stored = inputs.digest ? `${name}@${inputs.digest}` : ref.digest ? `${ref.registry}/${ref.repository}@${ref.digest}` : name;
    const local = inputs.pullPolicy !== "always" && images.listImages().find((image) => image.names.includes(stored));
    if (local) {
      const repoDigest = local.names.find((n) => n.startsWith(`${ref.registry}/${ref.repository}@`));
      return { record: local, digest: inputs.digest ?? ref.digest ?? repoDigest?.slice(repoDigest.indexOf("@") + 1) ?? local.id };
    }
    progress(`pulling ${name}`);
    // The plan resolved the tag to `digest`: pull exactly that, named by the tag as well.
    const pulled = await pullImage(images, inputs.digest ? `${inputs.ref}@${inputs.digest}` : inputs.ref, {
      onProgress: pullProgress(progress),
    });
    return { record: pulled.image, digest: pulled.manifestDigest };
  }
  if (inputs.ociLayout !== undefined || inputs.archive !== undefined) {
    const path = (inputs.ociLayout ?? inputs.archive) as string;
    progress(`loading ${path}`);
    const records = inputs.ociLayout !== undefined ? await images.loadOciLayout(path) : await images.loadDockerArchive(path);
    const ids = [...new Set(records.map((r) => r.id))];
    if (ids.length !== 1) {
      throw new RuntimeError("IMAGE_SOURCE", `${path} holds ${ids.length} images for this platform; an Image resource takes exactly one`);
    }
    return { record: records[0], digest: records[0].id };
  }
  const rootfs = inputs.rootfs as string;
  progress(`importing ${rootfs}`);
  const record = await images.importRootfs(rootfs, {
    Env: inputs.config?.env && Object.entries(inputs.config.env).map(([k, v]) => `${k}=${v}`),
    Cmd: inputs.config?.cmd,
    Entrypoint: inputs.config?.entrypoint,
    WorkingDir: inputs.config?.workdir,
    User: inputs.config?.user,
  });
  return { record, digest: record.id };
}

/** A pull's events as progress: the resolved manifest as a line, each layer's bytes as a bar. */
function pullProgress(progress: OperationContext["progress"]): (event: PullProgress) => void {
  const totals = new Map<string, number>();
  const layer = (digest: string) => `layer ${digest.slice(7, 19)}`;
  return (event) => {
    if (event.kind === "resolved") return progress(`${event.manifestDigest}: ${event.missing}/${event.layers} layers to fetch`);
    if (event.kind === "layer") {
      const first = !totals.has(event.digest);
      totals.set(event.digest, event.total);
      const message = first ? `${layer(event.digest)}: fetching ${event.total} bytes` : `${layer(event.digest)}: ${event.received}/${event.total} bytes`;
      return progress(message, { key: event.digest, done: event.received, total: event.total });
    }
    const total = totals.get(event.digest) ?? 0;
    progress(`${layer(event.digest)}: fetched`, { key: event.digest, done: total, total });
  };
}
