/**
 * Builds through the real CLI: `cinfra images build` makes a base image FROM scratch; a stack's
 * Image({ build }) builds on it at apply; an unchanged context plans nothing (an ignored file
 * neither); a changed file plans the image's and its container's replacement; a bad Dockerfile
 * fails the plan naming file and line.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { cinfra, sandbox, type Sandbox } from "../helpers/cli.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

const CLI = join(import.meta.dirname, "../../bin/cinfra.mjs");

/** Alive and not a zombie waiting for its parent. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("image builds through the CLI", () => {
  let box: Sandbox;
  let app: string;
  let stack: string;
  const exec = (...args: string[]) => cinfra(box, "exec", "--stack", "stack", "web", "--", ...args);

  beforeAll(() => {
    box = sandbox();
    makeBusyboxRootfs(join(box.dir, "base/rootfs"));
    writeFileSync(join(box.dir, "base/Dockerfile"), 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/bin\nCMD ["sh"]\n');
    app = join(box.dir, "app");
    mkdirSync(app);
    writeFileSync(join(app, "Dockerfile"), [
      "FROM cinfratest/busybox:e2e", "ARG SUFFIX", "WORKDIR /app", "COPY msg.txt ./",
      'RUN cp msg.txt copy.txt && echo "built$SUFFIX"', 'CMD ["sleep", "1000"]', "",
    ].join("\n"));
    writeFileSync(join(app, "msg.txt"), "one\n");
    writeFileSync(join(app, ".dockerignore"), "*.tmp\n");
    stack = join(box.dir, "stack.ts");
    writeFileSync(stack, `
import { Container, Image } from "cinfra";
const image = new Image("app", { build: { context: "./app", args: { SUFFIX: "!" } } });
new Container("web", { image, init: true });
`);
  });

  afterAll(() => {
    expect(cinfra(box, "destroy", stack, "--yes").code).toBe(0);
    expect(kernelObjectsNamed(`cinfra${box.tag}`)).toEqual([]);
    rmSync(box.dir, { recursive: true, force: true });
    rmSync(box.runRoot, { recursive: true, force: true });
  });

  it("cinfra images build: a base image FROM scratch, then the same build again from cache", () => {
    const first = cinfra(box, "images", "build", "-t", "cinfratest/busybox:e2e", join(box.dir, "base"));
    expect(first.stderr).toBe("");
    expect(first.stdout).toMatch(/^built (sha256:[0-9a-f]{64}) \(docker\.io\/cinfratest\/busybox:e2e\): 0 RUN steps ran, 0 steps from cache$/m);
    const again = cinfra(box, "images", "build", "-t", "cinfratest/busybox:e2e", "-f", join(box.dir, "base/Dockerfile"), join(box.dir, "base"));
    expect(again.stdout).toContain("[stage-0 1/3] COPY rootfs/ / (cached)");
    expect(again.stdout.match(/^built (sha256:\S+)/m)?.[1]).toBe(first.stdout.match(/^built (sha256:\S+)/m)?.[1]);
  });

  it("apply builds the Image and runs its container; an unchanged context plans nothing", () => {
    const applied = cinfra(box, "apply", stack, "--yes");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(exec("cat", "/app/copy.txt").stdout).toBe("one\n");
    expect(cinfra(box, "plan", stack, "--detailed-exitcode").code).toBe(0);
    writeFileSync(join(app, "notes.tmp"), "ignored by .dockerignore\n");
    expect(cinfra(box, "plan", stack, "--detailed-exitcode").code).toBe(0);
  });

  it("a changed context file plans the image's replacement, and its container follows", () => {
    writeFileSync(join(app, "msg.txt"), "two\n");
    const plan = cinfra(box, "plan", stack, "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/-\/\+ resource "image" "app"/);
    expect(plan.stdout).toMatch(/build\.inputDigest[^\n]*forces replacement/);
    expect(plan.stdout).toMatch(/-\/\+ resource "container" "web"/);
    const applied = cinfra(box, "apply", stack, "--yes");
    expect(applied.stderr).toBe("");
    expect(exec("cat", "/app/copy.txt").stdout).toBe("two\n");
    expect(cinfra(box, "plan", stack, "--detailed-exitcode").code).toBe(0);
  });

  it("a bad Dockerfile fails the plan with its path and line, and changes nothing", () => {
    const good = readFileSync(join(app, "Dockerfile"), "utf8");
    writeFileSync(join(app, "Dockerfile"), good.replace("WORKDIR /app", "FOOBAR /app"));
    try {
      const plan = cinfra(box, "plan", stack);
      expect(plan.code).toBe(1);
      expect(plan.stderr).toContain(`${app}/Dockerfile:3: unknown instruction "FOOBAR"`);
    } finally {
      writeFileSync(join(app, "Dockerfile"), good);
    }
    expect(cinfra(box, "plan", stack, "--detailed-exitcode").code).toBe(0);
  });

  it("a build killed during a RUN leaves leftovers that the next build removes, its process included", async () => {
    const slow = join(box.dir, "slow");
    mkdirSync(slow);
    writeFileSync(join(slow, "Dockerfile"), "FROM cinfratest/busybox:e2e\nRUN sleep 300\n");
    const child = spawn(process.execPath, [CLI, "images", "build", slow], { env: box.env, stdio: "ignore" });
    const runBuilds = join(box.runRoot, "builds");
    let id = "";
    for (let i = 0; i < 400 && !id; i++) {
      id = (existsSync(runBuilds) ? readdirSync(runBuilds) : []).find((d) => existsSync(join(runBuilds, d, "pid"))) ?? "";
      if (!id) await sleep(50);
    }
    expect(id).toMatch(/^build-\d+-/);
    const pid = Number(readFileSync(join(runBuilds, id, "pid"), "utf8").split(" ")[0]);
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(running(pid)).toBe(true); // the RUN's process outlives its builder

    const next = cinfra(box, "images", "build", join(box.dir, "base"));
    expect(next.stdout).toContain(`removed the leftovers of an interrupted RUN step (${id})`);
    for (let i = 0; i < 40 && running(pid); i++) await sleep(50);
    expect(running(pid)).toBe(false);
    expect(existsSync(join(runBuilds, id))).toBe(false);
    expect(existsSync(join(box.dir, "lib/builds", id))).toBe(false);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(id);
    expect(kernelObjectsNamed(id)).toEqual([]);
    expect(readdirSync("/sys/fs/cgroup").flatMap((c) => (existsSync(`/sys/fs/cgroup/${c}/${box.cgroupParent}/${id}`) ? [c] : []))).toEqual([]);
  });
});
