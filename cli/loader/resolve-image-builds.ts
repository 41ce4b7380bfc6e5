/**
 * Images declared with `build`: parse the Dockerfile and hash the build's inputs at plan time into
 * `build.inputDigest` (provider/linux/build/input-digest.ts). A changed file, Dockerfile or arg then
 * plans as the Image's replacement (and its containers'), an unchanged context plans nothing, and a
 * bad Dockerfile is an error naming its file and line before anything changes.
 */
import { CinfraError, ValidationError } from "../../core/errors.js";
import type { DesiredResource, Props } from "../../core/model/types.js";

const hasBuild = (r: DesiredResource): boolean => r.kind === "image" && typeof r.props.build === "object" && r.props.build !== null;

export async function resolveImageBuilds(resources: DesiredResource[]): Promise<void> {
  const pending = resources.filter(hasBuild);
  if (pending.length === 0) return;
  // Loaded on first use: stacks without builds never load the builder.
  const { buildInputDigest } = await import("../../provider/linux/build/input-digest.js");
  for (const r of pending) {
    const build = r.props.build as Props;
    try {
      build.inputDigest = buildInputDigest({
        context: build.context as string, file: build.file as string | undefined,
        args: build.args as Record<string, string> | undefined, target: build.target as string | undefined,
      });
    } catch (error) {
      const reason = error instanceof CinfraError ? error.message : String(error);
      throw new ValidationError(`${r.urn}.build`, reason, r.location);
    }
  }
}
