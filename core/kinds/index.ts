import type { Kind } from "../model/types.js";
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
