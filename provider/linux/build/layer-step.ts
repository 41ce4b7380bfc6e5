/**
 * One build step: its cache key (see build-cache.ts), then either the cached layer or the work —
 * COPY/ADD staged from the context, RUN in a container, WORKDIR's new directory — packed
 * deterministically and stored as a layer on top of the stage's chain.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { posix } from "node:path";
import { CinfraError, DockerfileError, RuntimeError } from "../../../core/errors.js";
import { chainId } from "../images/digest.js";
import { packDirectory } from "../images/pack-dir.js";
import type { Pin } from "../images/pins.js";
import { stageUpperAsLayer } from "../images/upper-to-layer.js";
import { resolveUser } from "../resources/user-lookup.js";
import type { BuildCache } from "./build-cache.js";
import { nextKey } from "./build-cache.js";
import type { BuildContext } from "./build-context.js";
import type { BuildDeps } from "./builder.js";
import { baseImage } from "./base-image.js";
import { imageSource, stageCopy, stageDirs, type TreeSource } from "./copy-step.js";
import { hasWildcard } from "./path-patterns.js";
import type { Instruction } from "./dockerfile-parse.js";
import { ImageFs } from "./image-fs.js";
import { RunStepError, runStep } from "./run-step.js";
import { applyMetadata, envOf, lookupIn, word, words, workdirOf, type Evaluator, type StageState } from "./stage-state.js";

export interface StepContext {
  deps: BuildDeps;
  context: BuildContext;
  pin: Pin;
  cache: BuildCache;
  ev: Evaluator;
  progress: (message: string) => void;
  output: (text: string) => void;
  cached: number;
  ran: string[];
  /** Stages built so far, by name and index: COPY --from reads them. */
  stages: Map<string, StageState>;
  pull: boolean;
}

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function metadataStep(ctx: StepContext, state: StageState, ins: Instruction): void {
  state.key = nextKey(state.key, applyMetadata(ctx.ev, state, ins));
  state.history.push({ created_by: ins.source, empty_layer: true });
}

export async function layerStep(ctx: StepContext, state: StageState, ins: Instruction, label: string): Promise<void> {
  const image = new ImageFs(ctx.deps.images.layers.lowerDirs(state.chain));
  let descriptor: string;
  let produce: (staging: string) => Promise<void>;
  if (ins.keyword === "WORKDIR") {
    const dir = workdirOf(ctx.ev, state, ins);
    state.config.WorkingDir = dir;
    if (image.isDirectory(dir)) {
      state.key = nextKey(state.key, `WORKDIR ${dir}`); // nothing to create: config only
      state.history.push({ created_by: ins.source, empty_layer: true });
      return;
    }
    descriptor = `WORKDIR ${dir}`;
    produce = async (staging) => void stageDirs(staging, image.resolve(dir, true), image);
  } else if (ins.keyword === "RUN") {
    const args = ins.json ?? [...state.shell, ins.text];
    const env = envOf(state.config);
    for (const [name, value] of state.args) if (!env.has(name)) env.set(name, value); // build args, shadowed by ENV
    if (!env.has("PATH")) env.set("PATH", DEFAULT_PATH);
    // Build args count even when the command does not name them (as in Docker: they are its environment).
    descriptor = `RUN ${JSON.stringify(args)} ${JSON.stringify([...state.args].sort())}`;
    produce = (staging) => runStep(ctx.deps, {
      id: `build-${process.pid}-${randomBytes(4).toString("hex")}`, image, args, step: label,
      env: [...env].map(([k, v]) => `${k}=${v}`), cwd: state.config.WorkingDir || "/", user: state.config.User, onOutput: ctx.output,
    }, async (upper) => {
      ctx.ran.push(label);
      stageUpperAsLayer(upper, staging, undefined, true); // sockets a daemon left are dropped, as docker build does
    });
  } else {
    const { source, identity, locate } = await copySource(ctx, state, ins, label);
    const copy = copySpec(ctx, state, ins, image, label, locate);
    descriptor = `${ins.keyword} ${JSON.stringify({ ...copy, sources: copy.sources.map((s) => [s, identity(s)]) })}`;
    produce = (staging) => stageCopy(source, image, copy, staging, label);
  }
  const key = nextKey(state.key, descriptor);
  const cached = ctx.cache.get(key);
  if (cached) {
    const chain = chainId(state.chain, cached);
    ctx.pin.add({ layers: [chain] }); // before the check: a concurrent prune must not take it after
    if (ctx.deps.images.layers.has(chain)) {
      ctx.progress(`${label} (cached)`);
      ctx.cached += 1;
      return push(state, key, cached, chain, ins);
    }
  }
  ctx.progress(label);
  const staging = ctx.deps.images.paths.temp("build");
  mkdirSync(staging);
  try {
    await produce(staging).catch((error: unknown) => {
      // Name the step, unless the error already does (a failed RUN, a Dockerfile line).
      if (error instanceof RunStepError || error instanceof DockerfileError || !(error instanceof CinfraError)) throw error;
      throw error.message.startsWith(label) ? error : new RuntimeError(error.code, `${label}: ${error.message}`);
    });
    const layer = await ctx.deps.images.applyLayerPinned(packDirectory(staging), undefined, { parent: state.chain }, ctx.pin);
    ctx.cache.put(key, layer.diffId, ins.source);
    push(state, key, layer.diffId, layer.chainId, ins);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function push(state: StageState, key: string, diffId: string, chain: string, ins: Instruction): void {
  state.key = key;
  state.diffIds.push(diffId);
  state.chain = chain;
  state.history.push({ created_by: ins.source });
}

/**
 * The build context, or for COPY --from an earlier stage or a stored image; `identity` is what the
 * cache key records per source: a content hash in the context, the layer chain plus path in an image
 * (layers are content-addressed).
 */
async function copySource(ctx: StepContext, state: StageState, ins: Instruction, label: string): Promise<{
  source: TreeSource; identity: (rel: string) => string; locate: (source: string) => string[];
}> {
  if (ins.flags.from === undefined) {
    return { source: ctx.context, identity: (rel) => ctx.context.hash(rel), locate: (source) => ctx.context.sources(source, label) };
  }
  const from = word(ctx.ev, ins, ins.flags.from, lookupIn(state));
  let chain: string | null;
  const stage = ctx.stages.get(from.toLowerCase());
  if (stage) chain = stage.chain;
  else {
    const record = await baseImage(ctx.deps.images, from, ctx.pull, ctx.progress, `${ctx.ev.file}:${ins.line}`);
    ctx.pin.add({ layers: record.layers });
    chain = record.layers.at(-1) ?? null;
  }
  const fs = new ImageFs(ctx.deps.images.layers.lowerDirs(chain));
  const locate = (source: string) => {
    if (hasWildcard(source)) throw new DockerfileError(ctx.ev.file, ins.line, `COPY --from does not take wildcards (${source})`);
    const parts = fs.resolve(posix.resolve("/", source), false);
    if (parts.length > 0 && !fs.lookup(parts)) throw new RuntimeError("BUILD_SOURCE", `${label}: ${source} is not in ${from}`);
    return [parts.join("/")];
  };
  return { source: imageSource(fs), identity: (rel) => `${chain}:/${rel}`, locate };
}

function copySpec(ctx: StepContext, state: StageState, ins: Instruction, image: ImageFs, label: string, locate: (source: string) => string[]) {
  const lookup = lookupIn(state);
  const args = words(ctx.ev, ins, lookup);
  const written = args[args.length - 1];
  const base = posix.resolve(state.config.WorkingDir || "/", written);
  const dest = base === "/" ? "/" : written.endsWith("/") || written === "." ? `${base}/` : base;
  const sources = args.slice(0, -1).flatMap(locate);
  const chown = ins.flags.chown !== undefined ? word(ctx.ev, ins, ins.flags.chown, lookup) : undefined;
  const owner = chown ? resolveUser(chown, [...image.lowerDirs]) : { uid: 0, gid: 0 };
  const chmod = ins.flags.chmod !== undefined ? word(ctx.ev, ins, ins.flags.chmod, lookup) : undefined;
  if (chmod !== undefined && !/^[0-7]{3,4}$/.test(chmod)) throw new DockerfileError(ctx.ev.file, ins.line, `--chmod=${chmod} is not an octal mode`);
  if (state.chain === null && chown && !/^\d+(:\d+)?$/.test(chown)) throw new RuntimeError("BUILD_COPY", `${label}: --chown by name needs an image with /etc/passwd`);
  return { sources, dest, owner, extract: ins.keyword === "ADD", ...(chmod ? { mode: Number.parseInt(chmod, 8) } : {}) };
}
