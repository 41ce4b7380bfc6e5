/**
 * `cinfra reconcile` against a local git repository the test commits to: a new commit is applied
 * by the loop, drift is healed with --self-heal, status and metrics are served on 127.0.0.1, and
 * --report-only changes nothing.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { cinfra, sandbox, type Sandbox } from "../helpers/cli.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

const CLI = join(import.meta.dirname, "../../bin/cinfra.mjs");

interface Status {
  commit: string | null;
  applied_commit: string | null;
  ticks: Record<string, number>;
  drift: { in_sync: boolean; summary: Record<string, number> };
}

function program(rootfs: string, memory: string): string {
  return `
import { Container, Image } from "cinfra";
const image = new Image("busybox", { rootfs: ${JSON.stringify(rootfs)}, config: { env: { PATH: "/bin" } } });
new Container("web", { image, command: ["sleep", "1000"], init: true, stopTimeout: 1, limits: { memory: "${memory}" } });
`;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 300; i++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

describe("reconcile loop", () => {
  let box: Sandbox;
  let work: string;
  let bare: string;
  let loop: ChildProcess | undefined;
  let base = "";
  const logs: string[] = [];

  const git = (...args: string[]) => execFileSync("git", ["-C", work, "-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], { encoding: "utf8" }).trim();
  const commit = (memory: string, message: string) => {
    writeFileSync(join(work, "stacks", "prod.ts"), program(join(box.dir, "rootfs"), memory));
    git("add", "-A");
    git("commit", "-q", "-m", message);
    git("push", "-q", "origin", "main");
    return git("rev-parse", "HEAD");
  };
  const status = async () => (await (await fetch(`${base}/status`)).json()) as Status;
  const inspect = () => JSON.parse(cinfra(box, "inspect", "web").stdout)[0];

  beforeAll(() => {
    box = sandbox();
    makeBusyboxRootfs(join(box.dir, "rootfs"));
    bare = join(box.dir, "repo.git");
    work = join(box.dir, "work");
    execFileSync("git", ["init", "-q", "--bare", "--initial-branch=main", bare]);
    mkdirSync(join(work, "stacks"), { recursive: true });
    execFileSync("git", ["init", "-q", "--initial-branch=main", work]);
    git("remote", "add", "origin", bare);
  });

  afterAll(async () => {
    if (loop && loop.exitCode === null) {
      loop.kill("SIGKILL");
      await new Promise((r) => loop!.once("exit", r));
    }
    cinfra(box, "destroy", "--stack", "prod", "--yes");
    expect(kernelObjectsNamed(`cinfra${box.tag}`)).toEqual([]);
    rmSync(box.dir, { recursive: true, force: true });
    rmSync(box.runRoot, { recursive: true, force: true });
  });

  it("applies the first commit and serves status, health and metrics on loopback", async () => {
    const first = commit("40Mi", "first");
    loop = spawn(process.execPath, [
      CLI, "reconcile", "--repo", bare, "--branch", "main", "--path", "stacks/prod.ts", "--interval", "1s",
      "--apply", "--self-heal", "--listen", "127.0.0.1:0", "--log-format", "json", "--workdir", join(box.dir, "clone"),
    ], { env: box.env, stdio: ["ignore", "pipe", "pipe"] });
    let buffered = "";
    loop.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      logs.push(...lines);
    });
    loop.stderr!.setEncoding("utf8").on("data", (chunk: string) => logs.push(`stderr: ${chunk}`));
    const listen = await waitFor("the loop to listen", async () => {
      const started = logs.map((l) => JSON.parse(l) as { msg: string; listen?: string }).find((l) => l.msg === "reconcile started");
      return started?.listen;
    });
    expect(listen).toMatch(/^127\.0\.0\.1:\d+$/);
    base = `http://${listen}`;
    const applied = await waitFor("the first commit", async () => {
      const s = await status();
      return s.applied_commit === first && s.drift.in_sync ? s : undefined;
    });
    expect(applied.commit).toBe(first);
    expect(inspect().State.Status).toBe("running");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^cinfra_reconcile_total\{result="applied"\} [1-9]/m);
    expect(metrics).toContain('cinfra_drift_resources{kind="container",status="stopped"} 0');
    expect(metrics).toMatch(/^cinfra_last_apply_timestamp_seconds [1-9]/m);
  });

  it("applies a new commit", async () => {
    const second = commit("48Mi", "more memory");
    await waitFor("the second commit", async () => ((await status()).applied_commit === second ? true : undefined));
    expect(inspect().Cgroup.Limits.memory).toBe(48 * 2 ** 20);
    const history = JSON.parse(cinfra(box, "history", "--stack", "prod", "--json").stdout) as { command: string; summary: { commit?: string } }[];
    expect(history.filter((h) => h.command === "reconcile").map((h) => h.summary.commit)).toContain(second);
  });

  it("heals drift with --self-heal", async () => {
    const healedBefore = (await status()).ticks.healed;
    process.kill(inspect().State.Pid, "SIGKILL");
    await waitFor("the heal", async () => {
      const s = await status();
      return s.ticks.healed > healedBefore && s.drift.in_sync ? true : undefined;
    });
    expect(inspect().State.Status).toBe("running");
    expect(logs.some((l) => (JSON.parse(l) as { msg: string }).msg === "healing")).toBe(true);
  });

  it("stops cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((r) => loop!.once("exit", (code) => r(code)));
    loop!.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(logs.at(-1)).toContain("reconcile stopped");
  });

  it("only reports with --report-only", () => {
    const memoryDir: string = inspect().Cgroup.Paths.find((p: string) => p.includes("/memory/")) ?? inspect().Cgroup.Paths[0];
    writeFileSync(join(memoryDir, memoryDir.includes("/memory/") ? "memory.limit_in_bytes" : "memory.max"), String(56 * 2 ** 20));
    const r = cinfra(box, "reconcile", "--repo", bare, "--path", "stacks/prod.ts", "--report-only", "--max-ticks", "1",
      "--listen", "127.0.0.1:0", "--log-format", "json", "--workdir", join(box.dir, "clone"));
    expect(r.code, r.stderr).toBe(0);
    const ticks = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { msg: string; result?: string; findings?: number });
    expect(ticks.find((t) => t.msg === "drift found")?.findings).toBe(1);
    expect(ticks.find((t) => t.msg === "tick")?.result).toBe("reported");
    expect(inspect().Cgroup.Limits.memory).toBe(56 * 2 ** 20); // left as it was
  });
});
