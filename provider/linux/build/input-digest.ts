/**
 * The plan-time digest of a build's inputs: the Dockerfile's bytes, the build args and target, the
 * ids of the stored images its FROM lines name, and the content of every context file that
 * .dockerignore leaves (names, modes, bytes; not times). Recorded in the Image's props, so a changed
 * input plans as the image's replacement and an unchanged one plans nothing. Parsing here also
 * reports a bad Dockerfile (file:line) before anything changes.
 */
import { readFileSync } from "node:fs";
import { sha256 } from "../images/digest.js";
import type { ImageStore } from "../images/index.js";
import { findStoredImage } from "./base-image.js";
import { BuildContext } from "./build-context.js";
import { dockerfilePath, globalArgs, readDockerfile, stagesFor, type BuildRequest } from "./builder.js";

export function buildInputDigest(images: ImageStore | null, req: BuildRequest): string {
  const df = readDockerfile(req);
  const context = BuildContext.open(req.context);
  const args = req.args ?? {};
  const plan = stagesFor(df, req.target, globalArgs(df, args));
  const bases = plan
    .filter(({ stage, from }) => from !== "scratch" && !df.stages.some((s) => s.index < stage.index && (s.name === from.toLowerCase() || String(s.index) === from)))
    .map(({ from }) => [from, (images && findStoredImage(images, from)?.id) ?? null]);
  return sha256(JSON.stringify({
    version: 1,
    dockerfile: sha256(readFileSync(dockerfilePath(req))),
    args: Object.entries(args).sort(([a], [b]) => a.localeCompare(b)),
    target: req.target ?? null,
    bases,
    context: context.hash(""),
  }));
}
