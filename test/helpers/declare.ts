import { collect } from "../../core/sdk/registry.js";
import type { DesiredResource } from "../../core/model/types.js";

/** Run `declare` as a stack program would and return what it registered. */
export function declare(declareResources: () => void, baseDir = "/stacks"): DesiredResource[] {
  const collection = { resources: [] as DesiredResource[], baseDir, programFile: null };
  collect(collection, declareResources);
  return collection.resources;
}
