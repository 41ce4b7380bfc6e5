/**
 * What a build stage has made so far: layers, image config, history, the build args in scope and
 * the cache key. The instructions that only change the config (ENV, LABEL, USER, CMD, …) are
 * applied here, with Docker's variable rules: ENV values shadow ARG values; ARG gets a --build-arg
 * value, else its default, else (redeclared in a stage) the global ARG's value.
 */
import { posix } from "node:path";
import { DockerfileError } from "../../../core/errors.js";
import type { ImageConfig } from "../images/index.js";
import type { Instruction } from "./dockerfile-parse.js";
import { expandWord, lexWords, splitPairs, WordSyntaxError, type Lookup } from "./dockerfile-words.js";

export interface HistoryEntry {
  created_by: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface StageState {
  key: string;
  diffIds: string[];
  /** Chain ID of the top layer; null with no layer yet (FROM scratch). */
  chain: string | null;
  config: ImageConfig;
  history: HistoryEntry[];
  os: string;
  architecture: string;
  args: Map<string, string>;
  shell: string[];
  /** CMD set in this stage (an ENTRYPOINT then keeps it; an inherited one it drops). */
  cmdSet: boolean;
}

export interface Evaluator {
  file: string;
  escape: string;
  buildArgs: Record<string, string>;
  globalArgs: Map<string, string>;
}

export function envOf(config: ImageConfig): Map<string, string> {
  return new Map((config.Env ?? []).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
}

export function lookupIn(state: StageState): Lookup {
  const env = envOf(state.config);
  return (name) => env.get(name) ?? state.args.get(name);
}

function syntax<T>(ev: Evaluator, ins: Instruction, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof WordSyntaxError) throw new DockerfileError(ev.file, ins.line, error.message);
    throw error;
  }
}

/** The instruction's arguments with variables expanded (exec-form items one by one). */
export function words(ev: Evaluator, ins: Instruction, lookup: Lookup): string[] {
  return syntax(ev, ins, () => ins.json
    ? ins.json.map((w) => expandWord(w, ev.escape, lookup))
    : lexWords(ins.text, { escape: ev.escape, lookup, split: true }));
}

export function word(ev: Evaluator, ins: Instruction, text: string, lookup: Lookup): string {
  return syntax(ev, ins, () => expandWord(text, ev.escape, lookup));
}

/** ARG lines: in a stage (`state`) or before the first FROM (`state` null: global args). */
export function declareArgs(ev: Evaluator, ins: Instruction, into: Map<string, string>, lookup: Lookup, inherit: Map<string, string> | null): void {
  for (const { key, value } of splitPairs(words(ev, ins, lookup))) {
    const given = Object.hasOwn(ev.buildArgs, key) ? ev.buildArgs[key] : undefined;
    const resolved = given ?? value ?? inherit?.get(key);
    if (resolved !== undefined) into.set(key, resolved);
    else into.delete(key);
  }
}

/** Apply a config-only instruction; returns the text that goes into the cache key. */
export function applyMetadata(ev: Evaluator, state: StageState, ins: Instruction): string {
  const lookup = lookupIn(state);
  const c = state.config;
  switch (ins.keyword) {
    case "ARG":
      declareArgs(ev, ins, state.args, lookup, ev.globalArgs);
      return `ARG ${ins.text}`; // the values count where they are used (RUN, expanded text)
    case "ENV": {
      const env = envOf(c);
      const pairs = splitPairs(words(ev, ins, lookup));
      if (pairs[0].value === undefined) {
        const name = pairs[0].key;
        env.set(name, word(ev, ins, ins.text.slice(ins.text.search(/\s/)).trim(), lookup));
      } else {
        for (const { key, value } of pairs) env.set(key, value as string);
      }
      c.Env = [...env].map(([k, v]) => `${k}=${v}`);
      return `ENV ${JSON.stringify(c.Env)}`;
    }
    case "LABEL": {
      const labels = { ...c.Labels };
      for (const { key, value } of splitPairs(words(ev, ins, lookup))) labels[key] = value as string;
      c.Labels = labels;
      return `LABEL ${JSON.stringify(labels)}`;
    }
    case "USER":
      c.User = word(ev, ins, ins.text, lookup);
      return `USER ${c.User}`;
    case "STOPSIGNAL":
      c.StopSignal = word(ev, ins, ins.text, lookup);
      return `STOPSIGNAL ${c.StopSignal}`;
    case "EXPOSE": {
      const ports = { ...c.ExposedPorts };
      for (const port of words(ev, ins, lookup)) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(port)) throw new DockerfileError(ev.file, ins.line, `EXPOSE ${JSON.stringify(port)} is not a port`);
        ports[port.includes("/") ? port.toLowerCase() : `${port}/tcp`] = {};
      }
      c.ExposedPorts = ports;
      return `EXPOSE ${JSON.stringify(Object.keys(ports))}`;
    }
    case "CMD":
      c.Cmd = ins.json ?? [...state.shell, ins.text];
      state.cmdSet = true;
      return `CMD ${JSON.stringify(c.Cmd)}`;
    case "ENTRYPOINT":
      c.Entrypoint = ins.json ?? [...state.shell, ins.text];
      if (!state.cmdSet) delete c.Cmd;
      return `ENTRYPOINT ${JSON.stringify(c.Entrypoint)}`;
    case "SHELL":
      state.shell = ins.json as string[];
      return `SHELL ${JSON.stringify(state.shell)}`;
    case "MAINTAINER":
      return "MAINTAINER";
    default:
      throw new Error(`${ins.keyword} is not a config-only instruction`);
  }
}

/** WORKDIR's absolute path: a relative one continues from the current WORKDIR. */
export function workdirOf(ev: Evaluator, state: StageState, ins: Instruction): string {
  return posix.resolve(state.config.WorkingDir || "/", word(ev, ins, ins.text, lookupIn(state)));
}
