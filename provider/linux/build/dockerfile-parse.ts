/**
 * Dockerfile → stages of instructions, checked as far as they can be without building: unknown or
 * unsupported instructions and flags, wrong argument counts, bad quoting, instructions before FROM.
 * Variables are expanded later, at build time, with the values then in scope.
 */
import { DockerfileError } from "../../../core/errors.js";
import { logicalLines, type LogicalLine } from "./dockerfile-lines.js";
import { lexWords, splitPairs, WordSyntaxError } from "./dockerfile-words.js";

export const SUPPORTED = [
  "FROM", "ARG", "ENV", "LABEL", "COPY", "ADD", "RUN", "WORKDIR", "USER", "CMD", "ENTRYPOINT", "EXPOSE", "STOPSIGNAL",
  "SHELL", "MAINTAINER",
] as const;
export type Keyword = (typeof SUPPORTED)[number];

const UNSUPPORTED: Record<string, string> = {
  VOLUME: "declare volumes on the Container (mounts) instead",
  HEALTHCHECK: "health checks are not part of cinfra's image config",
  ONBUILD: "triggers for later builds are not supported",
};
const FLAGS: Partial<Record<Keyword, readonly string[]>> = {
  FROM: ["platform"], COPY: ["from", "chown", "chmod", "link"], ADD: ["chown", "chmod", "link"],
};
const EXEC_FORM: readonly Keyword[] = ["RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "SHELL"];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STAGE_NAME = /^[a-z][a-z0-9._-]*$/;
const PORT = /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i;

export interface Instruction {
  keyword: Keyword;
  line: number;
  /** The arguments after the keyword and its flags, as written (continuations joined). */
  text: string;
  flags: Record<string, string>;
  /** The exec (JSON array) form, where the instruction has one and it was used. */
  json: string[] | null;
  /** Keyword and arguments as written: the step's name in history and messages. */
  source: string;
}

export interface Stage {
  index: number;
  name?: string;
  /** The image or earlier stage, as written (variables from global ARGs expanded at build time). */
  from: Instruction;
  body: Instruction[];
}

export interface Dockerfile {
  file: string;
  escape: string;
  /** ARGs before the first FROM: usable in FROM lines, and in a stage that declares them again. */
  globalArgs: Instruction[];
  stages: Stage[];
}

export function parseDockerfile(text: string, file: string): Dockerfile {
  const { escape, lines } = logicalLines(text, file);
  const out: Dockerfile = { file, escape, globalArgs: [], stages: [] };
  for (const logical of lines) {
    const ins = parseInstruction(logical, file, escape);
    const fail = (why: string) => new DockerfileError(file, ins.line, why);
    const stage = out.stages.at(-1);
    if (ins.keyword === "FROM") {
      const words = lex(ins.text, escape, fail);
      if (!(words.length === 1 || (words.length === 3 && words[1].toLowerCase() === "as"))) {
        throw fail("FROM takes an image and optionally AS <name>: FROM <image> [AS <name>]");
      }
      const name = words[2]?.toLowerCase();
      if (name !== undefined && !STAGE_NAME.test(name)) throw fail(`invalid stage name ${JSON.stringify(words[2])}`);
      if (name !== undefined && out.stages.some((s) => s.name === name)) throw fail(`stage name "${name}" is used twice`);
      out.stages.push({ index: out.stages.length, name, from: ins, body: [] });
    } else if (!stage) {
      if (ins.keyword !== "ARG") throw fail(`${ins.keyword} before FROM: only ARG may come before the first FROM`);
      out.globalArgs.push(ins);
    } else {
      stage.body.push(ins);
    }
  }
  if (out.stages.length === 0) throw new DockerfileError(file, lines[0]?.line ?? 1, "no FROM instruction");
  return out;
}

function parseInstruction(logical: LogicalLine, file: string, escape: string): Instruction {
  const m = /^(\S+)\s*([\s\S]*)$/.exec(logical.text) as RegExpExecArray;
  const word = m[1].toUpperCase();
  const fail = (why: string) => new DockerfileError(file, logical.line, why);
  if (UNSUPPORTED[word]) throw fail(`${word} is not supported (${UNSUPPORTED[word]})`);
  if (!(SUPPORTED as readonly string[]).includes(word)) throw fail(`unknown instruction ${JSON.stringify(m[1])}`);
  const keyword = word as Keyword;
  let rest = m[2].trim();
  const flags: Record<string, string> = {};
  for (let f = /^--([A-Za-z][A-Za-z-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest); f; f = /^--([A-Za-z][A-Za-z-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest)) {
    const allowed = FLAGS[keyword] ?? [];
    if (!allowed.includes(f[1])) throw fail(`${keyword} --${f[1]} is not supported${allowed.length ? ` (supported: ${allowed.map((a) => `--${a}`).join(", ")})` : ""}`);
    flags[f[1]] = f[2] ?? "";
    rest = rest.slice(f[0].length);
  }
  const ins: Instruction = { keyword, line: logical.line, text: rest, flags, json: null, source: logical.text.trim() };
  if (EXEC_FORM.includes(keyword)) ins.json = execForm(rest);
  check(ins, escape, fail);
  return ins;
}

/** `["a", "b"]`: the exec form; anything else (even malformed JSON) is the shell form, as in Docker. */
function execForm(text: string): string[] | null {
  if (!text.startsWith("[")) return null;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : null;
  } catch {
    return null;
  }
}

function lex(text: string, escape: string, fail: (why: string) => Error): string[] {
  try {
    return lexWords(text, { escape, lookup: null, split: true });
  } catch (error) {
    if (error instanceof WordSyntaxError) throw fail(error.message);
    throw error;
  }
}

function check(ins: Instruction, escape: string, fail: (why: string) => Error): void {
  const { keyword, text, json } = ins;
  if (/^<<-?["']?[A-Za-z_]/.test(text) && (keyword === "RUN" || keyword === "COPY" || keyword === "ADD")) throw fail("heredocs are not supported");
  if (keyword === "RUN" || keyword === "CMD" || keyword === "ENTRYPOINT") {
    if (json === null && text === "") throw fail(`${keyword} needs a command`);
    return; // the shell form is the shell's to parse
  }
  if (keyword === "SHELL") {
    if (json === null || json.length === 0) throw fail('SHELL takes the exec form: SHELL ["executable", "parameters"]');
    return;
  }
  const words = json ?? lex(text, escape, fail);
  if (words.length === 0 && keyword !== "MAINTAINER") throw fail(`${keyword} needs an argument`);
  switch (keyword) {
    case "COPY":
    case "ADD":
      if (words.length < 2) throw fail(`${keyword} needs at least one source and a destination`);
      if (keyword === "ADD" && words.slice(0, -1).some((w) => /^[a-z][a-z0-9+.-]*:\/\//i.test(w) || w.startsWith("git@"))) {
        throw fail("ADD from a URL is not supported (download it beforehand, or in a RUN step)");
      }
      break;
    case "ARG":
      for (const { key } of splitPairs(words)) if (!NAME.test(key)) throw fail(`invalid ARG name ${JSON.stringify(key)}`);
      break;
    case "ENV":
    case "LABEL": {
      const pairs = splitPairs(words);
      if (keyword === "ENV" && pairs[0].value === undefined) {
        if (words.length < 2) throw fail(`ENV ${words[0]} needs a value (ENV <name>=<value> …)`);
        if (!NAME.test(words[0])) throw fail(`invalid ENV name ${JSON.stringify(words[0])}`);
        break; // legacy form: ENV <name> <value …>
      }
      for (const { key, value } of pairs) {
        if (value === undefined) throw fail(`${keyword} ${JSON.stringify(key)} has no "=": use ${keyword} <key>=<value> …`);
        if (key === "" || (keyword === "ENV" && !NAME.test(key) && !key.includes("$"))) throw fail(`invalid ${keyword} name ${JSON.stringify(key)}`);
      }
      break;
    }
    case "WORKDIR":
    case "USER":
    case "STOPSIGNAL":
      if (words.length !== 1) throw fail(`${keyword} takes exactly one argument`);
      break;
    case "EXPOSE":
      for (const w of words) if (!PORT.test(w) && !w.includes("$")) throw fail(`EXPOSE ${JSON.stringify(w)} is not a port (<port>[/tcp|udp|sctp])`);
      break;
    default:
      break;
  }
}
