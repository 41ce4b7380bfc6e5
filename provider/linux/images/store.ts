/**
 * Content-addressed image store under `<libRoot>/images`:
 *   blobs/sha256/<hex>        layer tarballs and configs, verified by digest
 *   layers/<chainID hex>/diff  unpacked once, shared by every image that uses the layer
 *   images/<id hex>.json       image record (config, chain IDs, diffIDs)
 *   holders/<id hex>/<holder>  who uses an image (Image resources, containers): removal waits for none
 * Everything lands under its final name by rename, so a crash never leaves half a layer in use.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { extract } from "tar";
import { RuntimeError } from "../../../core/errors.js";
import { packDirectory } from "./pack-dir.js";
import type { ImageConfig, ImageRecord } from "./types.js";

const hex = (digest: string) => digest.replace(/^sha256:/, "");
const sha256 = (data: string | Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) out.push(out.length === 0 ? diffId : sha256(`${out[out.length - 1]} ${diffId}`));
  return out;
}

export class ImageStore {
  readonly root: string;

  constructor(libRoot: string) {
    this.root = join(libRoot, "images");
  }

  private path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  private tempPath(): string {
    mkdirSync(this.path("tmp"), { recursive: true });
    return this.path("tmp", randomBytes(8).toString("hex"));
  }

  layerDir(chainId: string): string {
    return this.path("layers", hex(chainId), "diff");
  }

  /** Import a rootfs directory or tarball as a one-layer image (like `docker import`). */
  async importRootfs(source: string, config: ImageConfig = {}): Promise<ImageRecord> {
    if (!existsSync(source)) throw new RuntimeError("IMAGE_SOURCE", `${source} does not exist`);
    const tmp = this.tempPath();
    try {
      let diffId: string;
      if (statSync(source).isDirectory()) {
        diffId = await packDirectory(source, tmp);
      } else {
        diffId = sha256(readFileSync(source));
        writeFileSync(tmp, readFileSync(source));
      }
      await this.storeLayer(diffId, tmp, chainIds([diffId])[0]);
      return this.writeImage(clean(config), [diffId], [source]);
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /** Keep the blob and unpack it as layer `chainId`, unless that layer already exists. */
  private async storeLayer(diffId: string, tarFile: string, chainId: string): Promise<void> {
    const blob = this.path("blobs", "sha256", hex(diffId));
    if (!existsSync(blob)) {
      mkdirSync(this.path("blobs", "sha256"), { recursive: true });
      renameSync(tarFile, blob);
    }
    const final = this.path("layers", hex(chainId));
    if (existsSync(join(final, "diff"))) return;
    const staging = `${this.tempPath()}-layer`;
    mkdirSync(join(staging, "diff"), { recursive: true });
    try {
      await extract({ file: blob, cwd: join(staging, "diff"), preserveOwner: true, strict: true });
      writeFileSync(join(staging, "meta.json"), JSON.stringify({ chainId, diffId }));
      mkdirSync(this.path("layers"), { recursive: true });
      renameSync(staging, final);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (existsSync(join(final, "diff"))) return; // a concurrent import won the race
      throw error;
    }
  }

  private writeImage(config: ImageConfig, diffIds: string[], names: string[]): ImageRecord {
    const ociConfig = { architecture: "amd64", os: "linux", config, rootfs: { type: "layers", diff_ids: diffIds } };
    const configJson = JSON.stringify(ociConfig);
    const id = sha256(configJson);
    const record: ImageRecord = { id, config, layers: chainIds(diffIds), diffIds, names, createdAt: new Date().toISOString() };
    mkdirSync(this.path("images"), { recursive: true });
    writeFileSync(this.path("blobs", "sha256", hex(id)), configJson);
    const file = this.path("images", `${hex(id)}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2));
    renameSync(`${file}.tmp`, file);
    return record;
  }

  getImage(id: string): ImageRecord | null {
    try {
      return JSON.parse(readFileSync(this.path("images", `${hex(id)}.json`), "utf8")) as ImageRecord;
    } catch {
      return null;
    }
  }

  listImages(): ImageRecord[] {
    if (!existsSync(this.path("images"))) return [];
    return readdirSync(this.path("images")).filter((f) => f.endsWith(".json")).map((f) => this.getImage(f.slice(0, -5))!).filter(Boolean);
  }

  /** Overlay lower dirs, top layer first. */
  lowerDirs(image: ImageRecord): string[] {
    return [...image.layers].reverse().map((chainId) => this.layerDir(chainId));
  }

  markInUse(id: string, holder: string): void {
    mkdirSync(this.path("holders", hex(id)), { recursive: true });
    writeFileSync(this.path("holders", hex(id), encodeURIComponent(holder)), "");
  }

  release(id: string, holder: string): void {
    rmSync(this.path("holders", hex(id), encodeURIComponent(holder)), { force: true });
  }

  /** Drop every reference a holder (a container id) has, whatever the image. */
  releaseHolder(holder: string): void {
    if (!existsSync(this.path("holders"))) return;
    for (const image of readdirSync(this.path("holders"))) this.release(image, holder);
  }

  holders(id: string): string[] {
    try {
      return readdirSync(this.path("holders", hex(id))).map(decodeURIComponent);
    } catch {
      return [];
    }
  }

  /** Remove the image if nothing holds it, then every layer no remaining image uses. */
  removeImageIfUnused(id: string): boolean {
    if (this.holders(id).length > 0) return false;
    rmSync(this.path("images", `${hex(id)}.json`), { force: true });
    rmSync(this.path("blobs", "sha256", hex(id)), { force: true });
    rmSync(this.path("holders", hex(id)), { recursive: true, force: true });
    this.prune();
    return true;
  }

  /** Delete layers (and their blobs) that no image references. */
  prune(): string[] {
    const used = new Set(this.listImages().flatMap((i) => i.layers.map(hex)));
    const usedDiffs = new Set(this.listImages().flatMap((i) => i.diffIds.map(hex)));
    const removed: string[] = [];
    for (const layer of existsSync(this.path("layers")) ? readdirSync(this.path("layers")) : []) {
      if (used.has(layer)) continue;
      const meta = JSON.parse(readFileSync(this.path("layers", layer, "meta.json"), "utf8")) as { diffId: string };
      rmSync(this.path("layers", layer), { recursive: true, force: true });
      if (!usedDiffs.has(hex(meta.diffId))) rmSync(this.path("blobs", "sha256", hex(meta.diffId)), { force: true });
      removed.push(`sha256:${layer}`);
    }
    return removed;
  }
}

function clean(config: ImageConfig): ImageConfig {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as ImageConfig;
}
