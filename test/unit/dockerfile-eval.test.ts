/** Dockerfile evaluation without building: global ARGs, stage selection, config instructions. */
import { describe, expect, it } from "vitest";
import { globalArgs, stagesFor } from "../../provider/linux/build/builder.js";
import { scratchState } from "../../provider/linux/build/base-image.js";
import { parseDockerfile } from "../../provider/linux/build/dockerfile-parse.js";
import { applyMetadata, workdirOf, type Evaluator, type StageState } from "../../provider/linux/build/stage-state.js";

function evaluate(text: string, buildArgs: Record<string, string> = {}, base: Partial<StageState["config"]> = {}): StageState {
  const df = parseDockerfile(text, "/ctx/Dockerfile");
  const ev: Evaluator = { file: df.file, escape: df.escape, buildArgs, globalArgs: globalArgs(df, buildArgs) };
  const state = { ...scratchState(), config: { ...base } };
  for (const ins of df.stages[0].body) {
    if (ins.keyword === "WORKDIR") state.config.WorkingDir = workdirOf(ev, state, ins);
    else applyMetadata(ev, state, ins);
  }
  return state;
}

describe("global ARGs and stages", () => {
  const df = parseDockerfile([
    "ARG BASE=busybox", "ARG TAG", "FROM ${BASE}:${TAG:-1} AS deps", "FROM scratch AS tools", "FROM deps AS build",
    "COPY --from=tools /x /x", "FROM alpine AS unused", "FROM build",
  ].join("\n"), "/ctx/Dockerfile");

  it("expand FROM with ARGs declared before it and --build-arg values", () => {
    expect(stagesFor(df, "deps", globalArgs(df, {})).map((s) => s.from)).toEqual(["busybox:1"]);
    expect(stagesFor(df, "deps", globalArgs(df, { BASE: "debian", TAG: "12" })).map((s) => s.from)).toEqual(["debian:12"]);
  });

  it("build the target and what it needs through FROM and COPY --from, nothing else", () => {
    const plan = stagesFor(df, undefined, globalArgs(df, {}));
    expect(plan.map((s) => [s.stage.name ?? s.stage.index, s.from])).toEqual([["deps", "busybox:1"], ["tools", "scratch"], ["build", "deps"], [4, "build"]]);
    expect(() => stagesFor(df, "nope", new Map())).toThrow('/ctx/Dockerfile: no stage named "nope" (stages: deps, tools, build, unused, 4)');
  });
});

describe("config instructions", () => {
  it("ENV: every pair of a line expands with the values before it; the legacy form takes the rest of the line", () => {
    const state = evaluate('FROM x\nENV A=1\nENV A=2 B=$A\nENV C hello  "big" world\n');
    expect(state.config.Env).toEqual(["A=2", "B=1", "C=hello  big world"]);
  });

  it("ARG: --build-arg over the default; a stage ARG without a value inherits the global one; ENV shadows ARG", () => {
    const state = evaluate("ARG V=global\nFROM x\nARG V\nARG W=default\nARG X=x\nENV X=env\nENV OUT=$V/$W/$X\n", { W: "given" });
    expect(state.config.Env).toContain("OUT=global/given/env");
  });

  it("an ARG is not visible before it is declared in the stage", () => {
    const state = evaluate("ARG V=global\nFROM x\nENV BEFORE=${V:-unset}\n");
    expect(state.config.Env).toEqual(["BEFORE=unset"]);
  });

  it("ENTRYPOINT drops an inherited CMD but keeps one set in the stage; shell forms use SHELL", () => {
    expect(evaluate('FROM x\nENTRYPOINT ["/init"]\n', {}, { Cmd: ["base"] }).config).toMatchObject({ Entrypoint: ["/init"] });
    expect(evaluate('FROM x\nENTRYPOINT ["/init"]\n', {}, { Cmd: ["base"] }).config.Cmd).toBeUndefined();
    expect(evaluate('FROM x\nCMD ["a"]\nENTRYPOINT ["/init"]\n').config.Cmd).toEqual(["a"]);
    expect(evaluate('FROM x\nSHELL ["/bin/bash", "-c"]\nCMD echo $HOME\n').config.Cmd).toEqual(["/bin/bash", "-c", "echo $HOME"]);
  });

  it("WORKDIR continues from the previous one; USER, LABEL, EXPOSE, STOPSIGNAL expand variables", () => {
    const state = evaluate([
      "FROM x", "ENV D=srv U=app P=8080", "WORKDIR /$D", "WORKDIR sub/../app", "USER $U:$U", 'LABEL a=1 "b c"="$P"',
      "EXPOSE $P 53/UDP", "STOPSIGNAL SIGQUIT", "",
    ].join("\n"));
    expect(state.config).toMatchObject({
      WorkingDir: "/srv/app", User: "app:app", Labels: { a: "1", "b c": "8080" },
      ExposedPorts: { "8080/tcp": {}, "53/udp": {} }, StopSignal: "SIGQUIT",
    });
  });

  it("a bad expansion is an error naming the Dockerfile line", () => {
    expect(() => evaluate("FROM x\n\nUSER ${NAME:?must be set}\n")).toThrow("/ctx/Dockerfile:3: NAME: must be set");
  });
});
