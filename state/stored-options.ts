/** A state row's `options` as both stores keep it: only the options that are set, and no field at all when none is. */
import type { ResourceState, StoredOptions } from "../core/model/types.js";

export function storedOptionsField(options: StoredOptions | null | undefined): Pick<ResourceState, "options"> {
  const kept: StoredOptions = {};
  if (options?.protect === true) kept.protect = true;
  if (options?.retainOnDelete === true) kept.retainOnDelete = true;
  return Object.keys(kept).length ? { options: kept } : {};
}
