import { record, stringMap } from "../model/check.js";
import type { Props } from "../model/types.js";
import type { KindSchema } from "./kind-schema.js";

const LABEL_KEY = { re: /^[A-Za-z0-9._/-]{1,128}$/, what: "a label key" };

export const volumeSchema: KindSchema = {
  kind: "volume",
  normalize(raw, path) {
    const props = record(raw ?? {}, path, ["labels"]);
    const out: Props = {};
    if (props.labels !== undefined) out.labels = stringMap(props.labels, `${path}.labels`, LABEL_KEY);
    return out;
  },
  // Labels live in cinfra's metadata beside the volume, so they can change without touching data.
  updatable: ["labels"],
  outputs: ["id", "mountpoint"],
};
