/**
 * The layer syscalls the image store uses, bound to libc by sys/layer-libc.ts (koffi lives only in
 * sys/). koffi (tens of ms) loads on the first call, not when a store is opened.
 */
import { loadLayerLibc, type LayerSyscalls } from "../sys/layer-libc.js";

export type { LayerSyscalls } from "../sys/layer-libc.js";

export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

let loaded: LayerSyscalls | undefined;
const libc = (): LayerSyscalls => (loaded ??= loadLayerLibc());

export function libcLayerSyscalls(): LayerSyscalls {
  return {
    mknod: (path, mode, major, minor) => libc().mknod(path, mode, major, minor),
    lsetxattr: (path, name, value) => libc().lsetxattr(path, name, value),
    lgetxattr: (path, name) => libc().lgetxattr(path, name),
    llistxattr: (path) => libc().llistxattr(path),
    syncfs: (path) => libc().syncfs(path),
  };
}
