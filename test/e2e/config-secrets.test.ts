/**
 * Stack config end to end: `cinfra config set` (plain and --secret), the program's typed getters, and
 * a secret that reaches the container but never plan output, JSON, `state show`, exports or the state file.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { sandbox, type CliResult } from "../helpers/cli.js";

const box = sandbox();
const stackFile = join(box.dir, "app.ts");
const SECRET = "correct-horse-battery";
// CINFRA_E2E_CLI lets a developer point this at another build of the CLI; CI runs the real one.
const CLI = process.env.CINFRA_E2E_CLI ?? join(import.meta.dirname, "../../bin/cinfra.mjs");

function cli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...box.env, ...env }, input, encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const withKey = { CINFRA_PASSPHRASE: "hunter22" };

beforeAll(() => {
  makeBusyboxRootfs(join(box.dir, "rootfs"));
  writeFileSync(stackFile, [
    'import { Container, Image, config } from "cinfra";',
    'const image = new Image("busybox", { rootfs: "./rootfs" });',
    'new Container("app", {',
    "  image, init: true,",
    '  command: ["sh", "-c", `echo replicas=${config.requireNumber("replicas")}; exec sleep 3600`],',
    "  env: {",
    '    DB_PASSWORD: config.requireSecret("dbPassword"),',
    '    DB_URL: `postgres://app:${config.requireSecret("dbPassword")}@db/app`,',
    '    DEBUG: String(config.getBoolean("debug") ?? false),',
    "  },",
    "});",
    "",
  ].join("\n"));
});

afterAll(() => {
  cli(["destroy", stackFile, "--yes"]);
  rmSync(box.dir, { recursive: true, force: true });
  rmSync(box.runRoot, { recursive: true, force: true });
});

describe("stack config and secrets", () => {
  it("names a missing key, the program line that wants it, and the command that sets it", () => {
    const r = cli(["plan", stackFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${stackFile}:5:`);
    expect(r.stderr).toContain("config.replicas: is not set for stack \"app\": run `cinfra config set replicas VALUE --stack app`");
  });

  it("stores plain values and sealed secrets; lists secrets as (sensitive)", () => {
    expect(cli(["config", "set", "replicas", "3", "--stack", "app"]).code).toBe(0);
    expect(cli(["config", "set", "dbPassword", "--secret", "--stack", "app"], withKey, `${SECRET}\n`).code).toBe(0);
    const list = cli(["config", "list", "--stack", "app"]);
    expect(list.stdout).toMatch(/dbPassword\s+\(sensitive\)\s+\[secret\]/);
    expect(list.stdout).toMatch(/replicas\s+3/);
    expect(cli(["config", "get", "dbPassword", "--stack", "app"], withKey).stdout).toBe(`${SECRET}\n`);
    expect(cli(["config", "get", "dbPassword", "--stack", "app"], { CINFRA_PASSPHRASE: "wrong" }).stderr).toContain("wrong passphrase");
  });

  it("plans with the secret masked in text and JSON, and refuses without the key", () => {
    expect(cli(["plan", stackFile]).stderr).toContain('stack "app" has secret config: set CINFRA_PASSPHRASE');
    const text = cli(["plan", stackFile], withKey);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('env.DB_PASSWORD = "(sensitive)"');
    expect(text.stdout).toContain('env.DB_URL      = "(sensitive)"');
    expect(text.stdout).toContain("echo replicas=3");
    const json = cli(["plan", stackFile, "--json"], withKey);
    expect(JSON.parse(json.stdout).resource_changes[1].change.after.env).toEqual({ DB_PASSWORD: "(sensitive)", DB_URL: "(sensitive)", DEBUG: "false" });
    for (const out of [text.stdout, text.stderr, json.stdout]) expect(out).not.toContain(SECRET);
  });

  it("applies: the container gets the secret, state holds only ciphertext, and the next plan is a no-op", () => {
    const applied = cli(["apply", stackFile, "--yes"], withKey);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout + applied.stderr).not.toContain(SECRET);
    expect(cli(["exec", "app", "--", "sh", "-c", "echo $DB_PASSWORD"]).stdout).toBe(`${SECRET}\n`);
    for (const f of ["state.db", "state.db-wal"]) {
      let bytes = "";
      try {
        bytes = readFileSync(join(box.dir, f), "latin1");
      } catch {
        continue;
      }
      expect(bytes).not.toContain(SECRET);
    }
    const shown = cli(["state", "show", "app"]);
    expect(shown.stdout).toContain('"DB_PASSWORD": "(sensitive)"');
    expect(shown.stdout + cli(["state", "export"]).stdout).not.toContain(SECRET);
    expect(cli(["plan", stackFile, "--detailed-exitcode"], withKey).code).toBe(0);
  });

  it("changing the secret replaces what uses it, still masked, also in a saved plan", () => {
    expect(cli(["config", "set", "dbPassword", "another-secret-value", "--secret", "--stack", "app"], withKey).code).toBe(0);
    const r = cli(["plan", stackFile], withKey);
    expect(r.stdout).toContain('env.DB_PASSWORD = "(sensitive)" -> "(sensitive)"');
    expect(r.stdout).not.toContain("another-secret-value");
    expect(r.stdout).not.toContain(SECRET);
    // A saved plan keeps them sealed on disk, and applies with the key.
    const saved = join(box.dir, "rotate.plan");
    expect(cli(["plan", stackFile, "--out", saved], withKey).code).toBe(0);
    const onDisk = readFileSync(saved, "utf8");
    expect(onDisk).not.toContain("another-secret-value");
    expect(onDisk).not.toContain(SECRET);
    expect(cli(["apply", saved]).stderr).toContain("CINFRA_PASSPHRASE");
    const applied = cli(["apply", saved], withKey);
    expect(applied.code, applied.stderr).toBe(0);
    expect(cli(["exec", "app", "--", "sh", "-c", "echo $DB_PASSWORD"]).stdout).toBe("another-secret-value\n");
  });

  it("destroys without the key", () => {
    const r = cli(["destroy", stackFile, "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(SECRET);
  });
});
