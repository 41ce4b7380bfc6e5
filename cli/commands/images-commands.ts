/** `cinfra images ls | pull | load | import | rm | prune`: the image store under the runtime's lib root. */
import { statSync } from "node:fs";
import { CinfraError } from "../../core/errors.js";
import { defaultRuntimeConfig } from "../../provider/linux/config.js";
import { openImageStore, saveOciArchive, type ImageRecord, type ImageStore } from "../../provider/linux/images/index.js";
import { parsePlatform, pullImage } from "../../provider/linux/images/registry/index.js";
import { BuildCache } from "../../provider/linux/build/build-cache.js";
import { EXIT } from "../exit-codes.js";
import { pullProgress } from "../render/pull-progress.js";
import { styleFor } from "../render/style.js";

const store = (): ImageStore => openImageStore(defaultRuntimeConfig().libRoot);
const short = (digest: string) => digest.slice(7, 19);

/** An image by id, id prefix (with or without sha256:) or name. */
export function findImage(images: ImageStore, key: string): ImageRecord {
  const bare = key.replace(/^sha256:/, "");
  const matches = images.listImages().filter((image) => image.names.includes(key) || (/^[0-9a-f]{4,64}$/.test(bare) && image.id.slice(7).startsWith(bare)));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new CinfraError("IMAGE_NOT_FOUND", `no image ${JSON.stringify(key)} in the store`);
  throw new CinfraError("AMBIGUOUS_NAME", `${JSON.stringify(key)} matches ${matches.length} images: give more of the id`);
}

export async function imagesLs(flags: { json?: boolean }): Promise<number> {
  const images = store();
  const rows = images.listImages().map((image) => ({ id: image.id, names: image.names, layers: image.layers.length, createdAt: image.createdAt, inUse: images.holders(image.id).length }));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.ok;
  }
  process.stdout.write("ID            LAYERS  IN USE  NAMES\n");
  for (const row of rows) process.stdout.write(`${short(row.id).padEnd(14)}${String(row.layers).padEnd(8)}${String(row.inUse).padEnd(8)}${row.names.join(", ")}\n`);
  return EXIT.ok;
}

export async function imagesPull(ref: string, flags: { platform?: string }): Promise<number> {
  const progress = pullProgress(ref, process.stdout, styleFor(process.stdout));
  let result;
  try {
    result = await pullImage(store(), ref, {
      platform: flags.platform ? parsePlatform(flags.platform) : undefined,
      onProgress: (event) => progress.event(event),
    });
  } finally {
    progress.close();
  }
  process.stdout.write(`${result.downloaded ? "pulled" : "up to date"}: ${ref} -> image ${result.image.id}\n`);
  return EXIT.ok;
}

export async function imagesRm(key: string): Promise<number> {
  const images = store();
  const image = findImage(images, key);
  const pruned = images.removeImage(image.id); // refuses an image a container or Image resource holds
  process.stdout.write(`removed ${image.id} (${pruned.layers.length} layers, ${pruned.blobs.length} blobs freed)\n`);
  return EXIT.ok;
}

/** `docker image inspect`'s essentials: id, names, layers (chain IDs and diffIDs), config, users. */
export async function imagesInspect(key: string): Promise<number> {
  const images = store();
  const image = findImage(images, key);
  const details = {
    Id: image.id, RepoTags: image.names.filter((n) => !n.includes("@")), RepoDigests: image.names.filter((n) => n.includes("@")),
    Created: image.createdAt, Os: image.os ?? "linux", Architecture: image.architecture,
    Config: image.config, RootFS: { Type: "layers", Layers: image.diffIds }, ChainIds: image.layers,
    UsedBy: images.holders(image.id),
  };
  process.stdout.write(`${JSON.stringify([details], null, 2)}\n`);
  return EXIT.ok;
}

/** An OCI archive of one image (`docker save`'s counterpart; `images load` and skopeo read it back). */
export async function imagesSave(key: string, flags: { output: string }): Promise<number> {
  const images = store();
  const image = findImage(images, key);
  await saveOciArchive(images, image, flags.output, image.names.includes(key) ? key : undefined);
  process.stdout.write(`saved ${image.id} to ${flags.output}\n`);
  return EXIT.ok;
}

export async function imagesPrune(): Promise<number> {
  const images = store();
  const pruned = images.prune();
  const cache = new BuildCache(images).prune(); // build steps whose layers went
  process.stdout.write(`pruned ${pruned.layers.length} layers, ${pruned.blobs.length} blobs${cache ? `, ${cache} build cache entries` : ""}\n`);
  return EXIT.ok;
}

/** An OCI layout (directory or tar) or a `docker save` archive. */
export async function imagesLoad(path: string): Promise<number> {
  const images = store();
  let records: ImageRecord[];
  if (statSync(path).isDirectory()) {
    records = await images.loadOciLayout(path);
  } else {
    try {
      records = await images.loadOciLayout(path);
    } catch (error) {
      if (!(error instanceof CinfraError && error.code === "ARCHIVE_INVALID" && /not an OCI image layout/.test(error.message))) throw error;
      records = await images.loadDockerArchive(path);
    }
  }
  for (const record of records) process.stdout.write(`loaded ${record.id}${record.names.length ? ` (${record.names.join(", ")})` : ""}\n`);
  return EXIT.ok;
}

/** A rootfs directory or tarball as a one-layer image, like `docker import`. */
export async function imagesImport(path: string): Promise<number> {
  const record = await store().importRootfs(path);
  process.stdout.write(`imported ${record.id}\n`);
  return EXIT.ok;
}
