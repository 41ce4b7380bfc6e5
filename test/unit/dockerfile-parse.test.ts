/** The Dockerfile parser and word lexer: pure, no kernel. */
import { describe, expect, it } from "vitest";
import { DockerfileError } from "../../core/errors.js";
import { parseDockerfile } from "../../provider/linux/build/dockerfile-parse.js";
import { expandWord, lexWords } from "../../provider/linux/build/dockerfile-words.js";

const parse = (text: string) => parseDockerfile(text, "/ctx/Dockerfile");
const errorOf = (text: string): string => {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(DockerfileError);
    return (error as Error).message;
  }
  throw new Error("no error");
};

describe("Dockerfile lines", () => {
  it("joins continuations, drops comments (also between continued lines) and keeps first line numbers", () => {
    const df = parse([
      "# a comment",
      "FROM busybox",
      "",
      "RUN echo a \\",
      "  # not part of the command",
      "",
      "    b \\   ",
      "  c",
      "ENV A=1",
    ].join("\n"));
    const [run, env] = df.stages[0].body;
    expect(run).toMatchObject({ keyword: "RUN", line: 4, text: "echo a     b   c", json: null });
    expect(env).toMatchObject({ keyword: "ENV", line: 9 });
  });

  it("honours the escape directive (backtick) and only at the top", () => {
    const df = parse("# escape=`\nFROM busybox\nRUN dir c:\\ `\n  && echo x\n");
    expect(df.escape).toBe("`");
    expect(df.stages[0].body[0].text).toBe("dir c:\\   && echo x");
    // After an instruction it is an ordinary comment.
    expect(parse("FROM busybox\n# escape=`\nRUN a \\\n b").escape).toBe("\\");
    expect(errorOf("# escape=x\nFROM a")).toBe('/ctx/Dockerfile:1: invalid escape character "x" (use \\ or `)');
  });

  it("ends an instruction continued at the end of the file", () => {
    expect(parse("FROM a\nRUN true \\").stages[0].body[0].text).toBe("true");
  });
});

describe("Dockerfile instructions", () => {
  it("tells JSON (exec) form from shell form, falling back to shell form for bad JSON", () => {
    const df = parse('FROM a\nCMD ["sh", "-c", "echo hi"]\nENTRYPOINT [not json]\nRUN ["/bin/true"]\nCOPY --chown=1:2 ["a b", "/x/"]');
    const [cmd, entry, run, copy] = df.stages[0].body;
    expect(cmd.json).toEqual(["sh", "-c", "echo hi"]);
    expect(entry.json).toBeNull();
    expect(entry.text).toBe("[not json]");
    expect(run.json).toEqual(["/bin/true"]);
    expect(copy).toMatchObject({ flags: { chown: "1:2" }, json: ["a b", "/x/"] });
  });

  it("keeps ARGs before FROM as global args and names stages", () => {
    const df = parse("ARG BASE=busybox\nARG V\nFROM ${BASE}:$V AS Build\nRUN x\nfrom build as final\n");
    expect(df.globalArgs.map((a) => a.text)).toEqual(["BASE=busybox", "V"]);
    expect(df.stages.map((s) => [s.name, s.from.text])).toEqual([["build", "${BASE}:$V AS Build"], ["final", "build as final"]]);
    expect(df.stages[1].from.line).toBe(5);
  });

  it("reports bad input with the Dockerfile path and line", () => {
    expect(errorOf("FROM a\n\nRUN x\n\n\n\nFOOBAR baz")).toBe('/ctx/Dockerfile:7: unknown instruction "FOOBAR"');
    expect(errorOf("RUN x\nFROM a")).toBe("/ctx/Dockerfile:1: RUN before FROM: only ARG may come before the first FROM");
    expect(errorOf("# only a comment\n")).toBe("/ctx/Dockerfile:1: no FROM instruction");
    expect(errorOf("FROM a\nCOPY onlyone")).toMatch(/:2: COPY needs at least one source and a destination/);
    expect(errorOf("FROM a\nADD https://example.com/x.tgz /x")).toMatch(/:2: ADD from a URL is not supported/);
    expect(errorOf("FROM a\nRUN --mount=type=cache,target=/x true")).toMatch(/:2: RUN --mount is not supported/);
    expect(errorOf("FROM a\nCOPY --frm=x a b")).toMatch(/:2: COPY --frm is not supported \(supported: --from, --chown, --chmod, --link\)/);
    expect(errorOf("FROM a\nVOLUME /data")).toMatch(/:2: VOLUME is not supported/);
    expect(errorOf("FROM a\nENV A")).toMatch(/:2: ENV A needs a value/);
    expect(errorOf("FROM a\nENV A=1 B")).toMatch(/:2: ENV "B" has no "="/);
    expect(errorOf('FROM a\nLABEL x="unterminated')).toMatch(/:2: unterminated double quote/);
    expect(errorOf("FROM a\nEXPOSE 80/tcp http")).toMatch(/:2: EXPOSE "http" is not a port/);
    expect(errorOf("FROM a b")).toMatch(/:1: FROM takes an image/);
    expect(errorOf("FROM a AS x\nFROM b AS x")).toMatch(/:2: stage name "x" is used twice/);
    expect(errorOf("FROM a\nRUN <<EOF\necho\nEOF")).toMatch(/:2: heredocs are not supported/);
    expect(errorOf("FROM a\nSHELL /bin/bash -c")).toMatch(/:2: SHELL takes the exec form/);
    expect(errorOf("FROM a\nWORKDIR /a /b")).toMatch(/:2: WORKDIR takes exactly one argument/);
  });
});

describe("Dockerfile words", () => {
  const vars: Record<string, string> = { A: "x", EMPTY: "", SP: "a b" };
  const lookup = (name: string) => vars[name];
  const words = (text: string) => lexWords(text, { escape: "\\", lookup, split: true });

  it("split on whitespace, remove quotes and expand variables outside single quotes", () => {
    expect(words(`$A "\${A}y" '$A' \\$A a\\ b "q\\"q" "\\n"`)).toEqual(["x", "xy", "$A", "$A", "a b", 'q"q', "\\n"]);
    expect(words('"$SP" $SP')).toEqual(["a b", "a b"]); // an expansion is not split again
    expect(words("${UNSET}z $ lone")).toEqual(["z", "$", "lone"]);
  });

  it("support the ${VAR:-word} family", () => {
    const w = (text: string) => expandWord(text, "\\", lookup);
    expect(w("${UNSET:-d}|${EMPTY:-d}|${EMPTY-d}|${A:-d}")).toBe("d|d||x");
    expect(w("${A:+set}|${EMPTY:+set}|${EMPTY+set}|${UNSET+set}")).toBe("set||set|");
    expect(w("${UNSET:-${A}2}")).toBe("x2");
    expect(() => w("${UNSET:?is required}")).toThrow(/UNSET: is required/);
    expect(() => w("${A")).toThrow(/missing "}"/);
    expect(() => w("${A/x/y}")).toThrow(/unsupported modifier/);
  });
});
