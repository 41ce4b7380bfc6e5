/** `cinfra commit NAME IMAGE[:TAG]` on the runtime: find the container's image, commit its upper dir. */
import { RuntimeError } from "../../../core/errors.js";
import type { ResourceState } from "../../../core/model/types.js";
import { commitUpperDir, type ImageStore } from "../images/index.js";
import { formatReference, parseReference } from "../images/registry/index.js";

export async function commitContainer(images: ImageStore, upper: string, state: ResourceState, refText: string): Promise<{ id: string; name: string }> {
  // The same spelling Image({ ref }) looks up, so another stack can use the result by that ref.
  const name = formatReference(parseReference(refText, "image"));
  const parent = images.listImages().find((image) => images.holders(image.id).includes(state.id));
  if (!parent) throw new RuntimeError("IMAGE_MISSING", `container ${state.urn}: its image is not in the image store`);
  const image = await commitUpperDir(images, upper, parent, name, `from container ${state.urn}`);
  return { id: image.id, name };
}
