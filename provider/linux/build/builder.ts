/**
 * `docker build` on cinfra's runtime: the stages the target needs, step by step. COPY, ADD, RUN and
 * a WORKDIR that creates its directory make layers (looked up in the step cache first); the other
 * instructions change the config. The image config has no timestamps, so the same steps give the
 * same image id: an unchanged rebuild runs nothing and yields the same digest.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import { dropUndefined } from "../images/image-config.js";
import type { ImageRecord, ImageStore } from "../images/index.js";
import type { Pin } from "../images/pins.js";
import { formatReference, parseReference } from "../images/registry/index.js";
import { BuildCache } from "./build-cache.js";
import { BuildContext } from "./build-context.js";
import { sweepDeadBuilds } from "./build-sweep.js";
import { parseDockerfile, type Dockerfile, type Stage } from "./dockerfile-parse.js";
import { layerStep, metadataStep, type StepContext } from "./layer-step.js";
import type { RunDeps } from "./run-step.js";
import { baseImage, copyState, scratchState, stateFromImage } from "./base-image.js";
import { declareArgs, word, type Evaluator, type StageState } from "./stage-state.js";

export interface BuildRequest {
  context: string;
  /** Default: <context>/Dockerfile. */
  file?: string;
  args?: Record<string, string>;
  target?: string;
}

export interface BuildOptions {
  /** Names the result gets (moved from any image that had them). */
  names?: string[];
  progress?: (message: string) => void;
  /** A RUN step's output, as it comes. */
  output?: (text: string) => void;
  /** Pull a FROM image the store does not have (default true). */
  pull?: boolean;
}

export interface BuildResult {
  image: ImageRecord;
  /** Layer steps taken from the cache, and RUN steps that really ran. */
  cached: number;
  ran: string[];
}

export interface BuildDeps extends RunDeps {
  images: ImageStore;
}

export const dockerfilePath = (req: BuildRequest): string => req.file ?? join(req.context, "Dockerfile");

export function readDockerfile(req: BuildRequest): Dockerfile {
  const file = dockerfilePath(req);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new RuntimeError("BUILD_DOCKERFILE", `cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseDockerfile(text, file);
}

/** Global ARG values (before the first FROM), with --build-arg values applied. */
export function globalArgs(df: Dockerfile, buildArgs: Record<string, string>): Map<string, string> {
  const ev: Evaluator = { file: df.file, escape: df.escape, buildArgs, globalArgs: new Map() };
  const args = new Map<string, string>();
  for (const ins of df.globalArgs) declareArgs(ev, ins, args, (name) => args.get(name), null);
  return args;
}

/** The stage the build produces and every stage it needs: FROM <stage> and COPY --from=<stage>. */
export function stagesFor(df: Dockerfile, target: string | undefined, args: Map<string, string>): { stage: Stage; from: string }[] {
  const index = target === undefined ? df.stages.length - 1 : df.stages.findIndex((s) => s.name === target.toLowerCase());
  if (index < 0) throw new RuntimeError("BUILD_TARGET", `${df.file}: no stage named "${target}" (stages: ${df.stages.map((s) => s.name ?? s.index).join(", ")})`);
  const ev: Evaluator = { file: df.file, escape: df.escape, buildArgs: {}, globalArgs: args };
  const lookup = (name: string) => args.get(name);
  const earlier = (stage: Stage, name: string) => df.stages.find((s) => s.index < stage.index && (s.name === name.toLowerCase() || String(s.index) === name));
  const needed = new Map<number, string>();
  const queue = [index];
  while (queue.length > 0) {
    const stage = df.stages[queue.pop() as number];
    if (needed.has(stage.index)) continue;
    const from = word(ev, stage.from, stage.from.text.split(/\s+/)[0], lookup);
    needed.set(stage.index, from);
    const refs = [from, ...stage.body.filter((i) => i.flags.from !== undefined).map((i) => word(ev, i, i.flags.from, lookup))];
    for (const ref of refs) {
      const dep = earlier(stage, ref);
      if (dep) queue.push(dep.index);
    }
  }
  return [...needed.keys()].sort((a, b) => a - b).map((i) => ({ stage: df.stages[i], from: needed.get(i) as string }));
}

export async function buildImage(deps: BuildDeps, req: BuildRequest, options: BuildOptions = {}): Promise<BuildResult> {
  const df = readDockerfile(req);
  const context = BuildContext.open(req.context);
  const buildArgs = req.args ?? {};
  const global = globalArgs(df, buildArgs);
  const plan = stagesFor(df, req.target, global);
  const progress = options.progress ?? (() => {});
  // The spelling Image({ ref }) and FROM look up; a bad name fails before any step runs.
  const names = (options.names ?? []).map((name) => formatReference(parseReference(name, "tag")));
  for (const id of await sweepDeadBuilds(deps)) progress(`removed the leftovers of an interrupted RUN step (${id})`);
  const pin = deps.images.pin();
  try {
    const ctx: StepContext = {
      deps, context, pin, cache: new BuildCache(deps.images), progress, output: options.output ?? (() => {}),
      ev: { file: df.file, escape: df.escape, buildArgs, globalArgs: global }, cached: 0, ran: [],
      stages: new Map<string, StageState>(), pull: options.pull ?? true,
    };
    const done = ctx.stages;
    let state: StageState = scratchState();
    for (const { stage, from } of plan) {
      state = await startStage(ctx, done, from, options.pull ?? true);
      const total = stage.body.length;
      for (const [i, ins] of stage.body.entries()) {
        const label = `[${stage.name ?? `stage-${stage.index}`} ${i + 1}/${total}] ${ins.source}`;
        if (["COPY", "ADD", "RUN", "WORKDIR"].includes(ins.keyword)) await layerStep(ctx, state, ins, label);
        else metadataStep(ctx, state, ins);
      }
      done.set(String(stage.index), state);
      if (stage.name) done.set(stage.name, state);
    }
    const image = await commit(deps.images, state, pin);
    let named = image;
    for (const name of names) named = deps.images.setName(image.id, name);
    return { image: named, cached: ctx.cached, ran: ctx.ran };
  } finally {
    pin.release();
  }
}

async function startStage(ctx: StepContext, done: Map<string, StageState>, from: string, pull: boolean): Promise<StageState> {
  const earlier = done.get(from.toLowerCase());
  if (earlier) return copyState(earlier);
  if (from === "scratch") return scratchState();
  const record = await baseImage(ctx.deps.images, from, pull, ctx.progress, `${ctx.ev.file}`);
  ctx.pin.add({ layers: record.layers, blobs: [record.id] });
  return stateFromImage(ctx.deps.images, record);
}

/** The image config, without timestamps: the same build is the same bytes, so the same id. */
async function commit(images: ImageStore, state: StageState, pin: Pin): Promise<ImageRecord> {
  const doc = {
    architecture: state.architecture, os: state.os, config: dropUndefined(state.config),
    rootfs: { type: "layers", diff_ids: state.diffIds }, history: state.history,
  };
  return images.commitImage(Buffer.from(JSON.stringify(doc)), [], pin);
}
