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
import type { Stage } from "./dockerfile-parse.js";
import { expandWord } from "./dockerfile-words.js";

export function buildInputDigest(images: ImageStore | null, req: BuildRequest): string {
  const df = readDockerfile(req);
  const context = BuildContext.open(req.context);
  const args = req.args ?? {};
  const plan = stagesFor(df, req.target, globalArgs(df, args));
  const global = globalArgs(df, args);
  const isStage = (stage: Stage, ref: string) => df.stages.some((s) => s.index < stage.index && (s.name === ref.toLowerCase() || String(s.index) === ref));
  // Images named by FROM and COPY --from (not stages): a re-pointed name rebuilds.
  const refs = plan.flatMap(({ stage, from }) => [from, ...stage.body.filter((i) => i.flags.from !== undefined)
    .map((i) => expandWord(i.flags.from, df.escape, (name) => global.get(name)))].filter((ref) => ref !== "scratch" && !isStage(stage, ref)));
  const bases = refs.map((ref) => [ref, (images && findStoredImage(images, ref)?.id) ?? null]);
  return sha256(JSON.stringify({
    version: 1,
    dockerfile: sha256(readFileSync(dockerfilePath(req))),
    args: Object.entries(args).sort(([a], [b]) => a.localeCompare(b)),
    target: req.target ?? null,
    bases,
    context: context.hash(""),
  }));
}
