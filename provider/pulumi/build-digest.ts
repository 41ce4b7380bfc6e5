/**
 * Check for an Image with `build`: the same plan-time digest of the build's inputs the CLI records
 * (Dockerfile, context files by content, args), so a changed input previews as
 * the image's replacement, and a bad Dockerfile is a check failure naming its file and line.
 */
import { CinfraError } from "../../core/errors.js";
import { buildInputDigest } from "../linux/build/input-digest.js";
import type { CheckResult } from "./check-inputs.js";
import { containsUnknown, isSecret, type WireObject } from "./wire-values.js";

export function withBuildDigest(result: CheckResult): CheckResult {
  const build = result.inputs.build;
  // Not known yet (preview) or secret as a whole: checked again when known.
  if (!build || typeof build !== "object" || Array.isArray(build) || isSecret(build) || containsUnknown(build)) return result;
  const plain = (value: unknown) => (isSecret(value) ? value.value : value);
  const args = plain(build.args) as Record<string, unknown> | undefined;
  try {
    const inputDigest = buildInputDigest({
      context: build.context as string, file: build.file as string | undefined, target: build.target as string | undefined,
      args: args && Object.fromEntries(Object.entries(args).map(([k, v]) => [k, String(plain(v))])),
    });
    return { inputs: { ...result.inputs, build: { ...(build as WireObject), inputDigest } }, failures: [] };
  } catch (error) {
    if (!(error instanceof CinfraError)) throw error;
    return { inputs: result.inputs, failures: [{ property: "build", reason: error.message }] };
  }
}
