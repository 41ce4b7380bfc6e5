export { ImageStore, chainIds } from "./store.js";
export type { ImageConfig, ImageRecord } from "./types.js";
import { ImageStore } from "./store.js";

export function openImageStore(libRoot: string): ImageStore {
  return new ImageStore(libRoot);
}
