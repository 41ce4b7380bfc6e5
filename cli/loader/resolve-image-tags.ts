/**
 * Images declared with `pullPolicy: "always"` and a tag: ask the registry what the tag points to now
 * and record it as the desired `digest`. A moved tag then plans as the Image's replacement (and its
 * containers'), never as a silent change at apply; apply pulls exactly the digest the plan showed.
 */
import { CinfraError, ValidationError } from "../../core/errors.js";
import type { DesiredResource } from "../../core/model/types.js";

function needsResolution(r: DesiredResource): boolean {
  const { ref, pullPolicy, digest } = r.props;
  return r.kind === "image" && typeof ref === "string" && !ref.includes("@") && pullPolicy === "always" && digest === undefined;
}

export async function resolveImageTags(resources: DesiredResource[]): Promise<void> {
  const pending = resources.filter(needsResolution);
  if (pending.length === 0) return;
  // Loaded on first use: stacks without registry images never pay for the client.
  const { resolveTag } = await import("../../provider/linux/images/registry/index.js");
  await Promise.all(pending.map(async (r) => {
    try {
      r.props.digest = await resolveTag(r.props.ref as string);
    } catch (error) {
      const reason = error instanceof CinfraError ? error.message : String(error);
      throw new ValidationError(`${r.urn}.ref`, `cannot resolve the tag (pullPolicy "always" asks the registry at plan time): ${reason}`, r.location);
    }
  }));
}
