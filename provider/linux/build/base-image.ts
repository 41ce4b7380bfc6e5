/** FROM: an earlier stage, `scratch`, an image in the store (by name, ref or id), or a registry pull. */
import { readFileSync } from "node:fs";
import { RuntimeError } from "../../../core/errors.js";
import { ociArchitecture } from "../images/image-config.js";
import type { ImageRecord, ImageStore } from "../images/index.js";
import { formatReference, parseReference, pullImage } from "../images/registry/index.js";
import type { HistoryEntry, StageState } from "./stage-state.js";

const SHELL = ["/bin/sh", "-c"];

/** The stored image `name` names: a name it was stored under, its normalized ref, or its id. */
export function findStoredImage(images: ImageStore, name: string): ImageRecord | null {
  if (/^sha256:[0-9a-f]{64}$/.test(name)) return images.getImage(name);
  const names = [name];
  try {
    names.push(formatReference(parseReference(name, "FROM")));
  } catch {
    // not a registry reference (a rootfs path an import was named by): the name alone
  }
  const found = images.listImages().filter((image) => names.some((n) => image.names.includes(n)));
  return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0] ?? null;
}

export function scratchState(): StageState {
  return {
    key: "scratch", diffIds: [], chain: null, config: {}, history: [], os: "linux", architecture: ociArchitecture(),
    args: new Map(), shell: SHELL, cmdSet: false,
  };
}

export function stateFromImage(images: ImageStore, record: ImageRecord): StageState {
  const doc = JSON.parse(readFileSync(images.blobs.path(record.id), "utf8")) as { history?: HistoryEntry[] };
  // Keep the base's history, or one entry per layer when it has none, so history and layers stay in step.
  const history = doc.history?.length ? doc.history.map(({ created_by, comment, empty_layer }) => ({ created_by, comment, empty_layer }))
    : record.diffIds.map(() => ({ created_by: "base layer" }));
  return {
    key: record.id, diffIds: [...record.diffIds], chain: record.layers.at(-1) ?? null, config: structuredClone(record.config),
    history, os: record.os ?? "linux", architecture: record.architecture ?? ociArchitecture(), args: new Map(), shell: SHELL, cmdSet: false,
  };
}

export function copyState(state: StageState): StageState {
  return { ...state, diffIds: [...state.diffIds], config: structuredClone(state.config), history: [...state.history], args: new Map(), cmdSet: false };
}

/** An image FROM names, pulled when the store does not have it and `pull` allows. */
export async function baseImage(images: ImageStore, name: string, pull: boolean, progress: (m: string) => void, where: string): Promise<ImageRecord> {
  const local = findStoredImage(images, name);
  if (local) return local;
  if (!pull) throw new RuntimeError("BUILD_BASE_MISSING", `${where}: image ${name} is not in the image store`);
  progress(`pulling ${name}`);
  try {
    return (await pullImage(images, name)).image;
  } catch (error) {
    throw new RuntimeError("BUILD_BASE_MISSING", `${where}: image ${name} is not in the store and cannot be pulled: ${(error as Error).message}`, { cause: error });
  }
}
