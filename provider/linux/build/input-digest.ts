/**
 * The plan-time digest of a build's inputs: the Dockerfile's bytes, the build args and target, and
 * the content of every context file that .dockerignore leaves (names, modes, bytes; not times).
 * Recorded in the Image's props, so a changed input plans as the image's replacement and an
 * unchanged one plans nothing. Parsing here also reports a bad Dockerfile (file:line), an unknown
 * target or a bad FROM expansion before anything changes.
 *
 * Base images are left out on purpose: one the store lacks at plan time is pulled at apply, and
 * its id entering the digest then would plan a replacement of an unchanged stack. A new base under
 * the same name is picked up with `cinfra apply --replace <image>`.
 */
import { readFileSync } from "node:fs";
import { sha256 } from "../images/digest.js";
import { BuildContext } from "./build-context.js";
import { dockerfilePath, globalArgs, readDockerfile, stagesFor, type BuildRequest } from "./builder.js";

export function buildInputDigest(req: BuildRequest): string {
  const df = readDockerfile(req);
  const context = BuildContext.open(req.context);
  const args = req.args ?? {};
  stagesFor(df, req.target, globalArgs(df, args)); // checks the target and the FROM lines
  return sha256(JSON.stringify({
    version: 1,
    dockerfile: sha256(readFileSync(dockerfilePath(req))),
    args: Object.entries(args).sort(([a], [b]) => a.localeCompare(b)),
    target: req.target ?? null,
    context: context.hash(""),
  }));
}
