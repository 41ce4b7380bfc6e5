/**
 * kill -9 mid-apply, at 10 different points: the CLI SIGKILLs itself right after its k-th runtime
 * call (CINFRA_TEST_CRASH_AFTER=k, cli/commands/crash-hook.ts), before state records the result.
 * After each kill the SQLite file passes integrity_check, the next `cinfra apply` converges, and
 * what runs (ps, container dirs, cgroups, veths, netns files) is exactly what state says.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../state/sqlite/sqlite-store.js";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { sandbox, type CliResult } from "../helpers/cli.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

const box = sandbox();
const stackFile = join(box.dir, "crash.ts");
const octet = 200 + Math.floor(Math.random() * 50);
// CINFRA_E2E_CLI lets a developer point this at another build of the CLI; CI runs the real one.
const CLI = process.env.CINFRA_E2E_CLI ?? join(import.meta.dirname, "../../bin/cinfra.mjs");
const CONTAINERS = 10;

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): CliResult & { signal: NodeJS.Signals | null } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...box.env, ...extraEnv }, encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

const ls = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

async function stateContainerIds(): Promise<string[]> {
  const store = new SqliteStore(box.env.CINFRA_STATE!);
  try {
    return (await store.load("crash")).resources.filter((r) => r.kind === "container").map((r) => r.id).sort();
  } finally {
    await store.close();
  }
}

/** Per-container cgroup dirs under this run's parent, across controllers (v1) or the unified tree (v2). */
function cgroupIds(): string[] {
  const found = new Set<string>();
  for (const controller of ls("/sys/fs/cgroup")) {
    for (const dir of [join("/sys/fs/cgroup", controller, box.cgroupParent), join("/sys/fs/cgroup", box.cgroupParent)]) {
      try {
        for (const child of readdirSync(dir, { withFileTypes: true })) if (child.isDirectory()) found.add(child.name);
      } catch {
        // no such parent under this controller
      }
    }
  }
  return [...found].sort();
}

function writeProgram(generation: number): void {
  const containers = Array.from({ length: CONTAINERS }, (_, i) =>
    `new Container("c${i}", { image, command: ["sleep", "${3600 + generation}"], init: true, stopTimeout: 1, networks: [net] });`);
  writeFileSync(stackFile, `import { Container, Image, Network } from "cinfra";
const image = new Image("busybox", { rootfs: "./rootfs" });
const net = new Network("net", { subnet: "10.${octet}.20.0/24" });
${containers.join("\n")}
`);
}

beforeAll(() => {
  makeBusyboxRootfs(join(box.dir, "rootfs"));
});

afterAll(() => {
  cli(["destroy", stackFile, "--yes"]);
  rmSync(box.dir, { recursive: true, force: true });
  rmSync(box.runRoot, { recursive: true, force: true });
});

/**
 * Ten kill points: five in a first apply (12 creates: image, network, 10 containers) and five in an
 * apply that replaces all 10 containers (create-before-delete: 10 creates and 10 deletes interleaved).
 */
const POINTS: { phase: "create" | "replace"; k: number }[] = [
  ...[1, 2, 5, 8, 12].map((k) => ({ phase: "create" as const, k })),
  ...[1, 5, 10, 15, 20].map((k) => ({ phase: "replace" as const, k })),
];

describe("kill -9 during apply", () => {
  it.each(POINTS)("$phase apply killed after runtime call $k: state intact, next apply converges, no orphans", async ({ phase, k }) => {
    writeProgram(1);
    if (phase === "replace") {
      expect(cli(["apply", stackFile, "--yes"]).code).toBe(0);
      writeProgram(2);
    }
    const killed = cli(["apply", stackFile, "--yes"], { CINFRA_TEST_CRASH_AFTER: String(k) });
    expect(killed.signal, `the apply should have been killed after call ${k} (is the crash hook wired into openRuntime?)`).toBe("SIGKILL");

    const store = new SqliteStore(box.env.CINFRA_STATE!);
    expect(store.integrityCheck()).toBe("ok");
    // The k-th call's result never reached state: its pending record is what recovery works from.
    expect((await store.load("crash")).pending.length).toBeGreaterThan(0);
    await store.close();

    const again = cli(["apply", stackFile, "--yes"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("Recovered");
    expect(cli(["plan", stackFile, "--detailed-exitcode"]).code).toBe(0);

    const ids = await stateContainerIds();
    expect(ids).toHaveLength(CONTAINERS);
    const ps = JSON.parse(cli(["ps", "--json"]).stdout) as { id: string; state: string }[];
    expect(ps.map((r) => r.id).sort()).toEqual(ids);
    expect(ps.every((r) => r.state === "running")).toBe(true);
    expect(ls(join(box.dir, "lib/containers")).sort()).toEqual(ids);
    expect(ls(join(box.runRoot, "netns")).sort()).toEqual(ids);
    expect(cgroupIds()).toEqual(ids);
    const veths = kernelObjectsNamed(`${box.linkPrefix}v`).filter((o) => o.startsWith("link"));
    expect(veths).toHaveLength(CONTAINERS);

    // The next kill point starts from nothing.
    expect(cli(["destroy", stackFile, "--yes"]).code).toBe(0);
    expect(kernelObjectsNamed(box.linkPrefix)).toEqual([]);
    expect(ls(join(box.dir, "lib/containers"))).toEqual([]);
  });
});
