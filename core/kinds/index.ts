import type { Kind, Props } from "../model/types.js";
import { asAttachments } from "./attachments.js";
import { containerSchema } from "./container.js";
import { imageSchema } from "./image.js";
import type { KindSchema } from "./kind-schema.js";
import { networkSchema } from "./network.js";
import { volumeSchema } from "./volume.js";

export const SCHEMAS: Readonly<Record<Kind, KindSchema>> = {
  image: imageSchema,
  volume: volumeSchema,
  network: networkSchema,
  container: containerSchema,
};

export type { KindSchema } from "./kind-schema.js";
export { isUpdatable } from "./kind-schema.js";

/**
 * Whether a replacement deletes the old object first. Create-before-delete keeps a service up, but
 * an object holding something unique (a static IP, a bridge subnet, a volume's data) cannot coexist
 * with its successor (a host port is the same kind of unique thing).
 */
export function defaultDeleteBeforeReplace(kind: Kind, props: Props): boolean {
  if (kind === "image") return false;
  if (kind !== "container") return true;
  return asAttachments(props).some((a) => a.ipv4 !== undefined) || (Array.isArray(props.ports) && props.ports.length > 0);
}
