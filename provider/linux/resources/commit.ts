/** `cinfra commit NAME IMAGE[:TAG]` on the runtime: find the container's image, commit its upper dir. */
import { RuntimeError } from "../../../core/errors.js";
import type { ResourceState } from "../../../core/model/types.js";
import type { RuntimeConfig } from "../config.js";
import { commitUpperDir, type ImageStore } from "../images/index.js";
import type { OwnerMap } from "../images/pack-dir.js";
import { formatReference, parseReference } from "../images/registry/index.js";
import { asContainerInputs, type IdRange } from "./container-inputs.js";
import { containerPaths } from "./container-paths.js";
import { resolveUserns } from "./userns.js";

export async function commitContainer(config: RuntimeConfig, images: ImageStore, state: ResourceState, refText: string): Promise<{ id: string; name: string }> {
  // The same spelling Image({ ref }) looks up, so another stack can use the result by that ref.
  const name = formatReference(parseReference(refText, "image"));
  const parent = images.listImages().find((image) => images.holders(image.id).includes(state.id));
  if (!parent) throw new RuntimeError("IMAGE_MISSING", `container ${state.urn}: its image is not in the image store`);
  const userns = resolveUserns(config, state.id, asContainerInputs(state.inputs).userns);
  const owners = userns && toContainerIds(userns.uidMap, userns.gidMap);
  const image = await commitUpperDir(images, containerPaths(config, state.id).upper, parent, name, `from container ${state.urn}`, owners);
  return { id: image.id, name };
}

/** A remapped root wrote as host ids: the layer keeps the ids the container saw, as any other image's files. */
function toContainerIds(uidMap: IdRange[], gidMap: IdRange[]): OwnerMap {
  const back = (map: IdRange[], id: number) => {
    const r = map.find((range) => id >= range.hostId && id < range.hostId + range.size);
    return r ? r.containerId + (id - r.hostId) : id;
  };
  return (uid, gid) => [back(uidMap, uid), back(gidMap, gid)];
}
