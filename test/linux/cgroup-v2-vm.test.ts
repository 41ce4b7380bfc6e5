/**
 * cgroup v2 for real: this host has only v1 controllers, so the v2 manager and a whole container run
 * inside a throwaway VM with a pure unified hierarchy (../shared/tools/run-in-v2vm.sh).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const VM = join(ROOT, "../shared/tools/run-in-v2vm.sh");
const bundles: string[] = [];

async function runInVm(script: string): Promise<{ code: number; out: string }> {
  // Bundled into the repo: the guest sees the host's files read-only at the same paths (its /tmp is empty).
  const out = join(ROOT, `.vm-${script}-${process.pid}.mjs`);
  bundles.push(out);
  await build({ entryPoints: [join(ROOT, "test/vm", `${script}.ts`)], outfile: out, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning" });
  const r = spawnSync("bash", [VM, `cd ${ROOT} && node ${out}`], { encoding: "utf8", timeout: 900_000, env: { ...process.env, V2VM_QUIET: "1" } });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

afterAll(() => bundles.forEach((b) => rmSync(b, { force: true })));

describe.runIf(existsSync(VM))("cgroup v2 in a VM", () => {
  it("the v2 manager enforces limits on a real unified hierarchy", async () => {
    const r = await runInVm("cgroup-v2-check");
    expect(r.out).toContain("ok 12 checks");
    expect(r.code).toBe(0);
  }, 900_000);

  it("runs a container with limits, live update, OOM kill and a clean destroy", async () => {
    execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")]);
    const r = await runInVm("runtime-v2-check");
    expect(r.out).toContain("ok destroy left nothing");
    expect(r.code).toBe(0);
  }, 900_000);
});
