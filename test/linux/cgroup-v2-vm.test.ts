/**
 * cgroup v2 for real: this host's controllers are all v1, so the shared manager suite (and a whole
 * container on the runtime) run inside a throwaway VM with a pure unified hierarchy
 * (../shared/tools/run-in-v2vm.sh; CINFRA_V2VM overrides the path). Skipped, saying so, when absent.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const VM = process.env.CINFRA_V2VM ?? join(ROOT, "../shared/tools/run-in-v2vm.sh");
const VM_TIMEOUT = 900_000;
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.splice(0).forEach((undo) => undo()));

function runInVm(command: string): Promise<{ code: number | null; out: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const vm = spawn("bash", [VM, command], { env: { ...process.env, V2VM_QUIET: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    vm.stdout.on("data", (d) => (out += d));
    vm.stderr.on("data", (d) => (out += d));
    vm.on("exit", (code) => resolve({ code, out, seconds: (Date.now() - started) / 1000 }));
  });
}

/** A bundle beside node_modules: the v2 manager loads koffi (bpf(2) for the device program) from there. */
async function bundleSuite(): Promise<string> {
  const outfile = join(ROOT, `.vm-cgroup-v2-suite-${process.pid}.mjs`);
  cleanups.push(() => rmSync(outfile, { force: true }));
  await build({
    entryPoints: [join(ROOT, "test/vm/cgroup-v2-suite.ts")], outfile, bundle: true, platform: "node", format: "esm",
    alias: { vitest: join(ROOT, "test/vm/mini-vitest.ts") }, logLevel: "warning",
  });
  return outfile;
}

/** The runtime check imports node_modules, so it is bundled beside them in the repo. */
async function bundleRuntimeCheck(): Promise<string> {
  const outfile = join(ROOT, `.vm-runtime-v2-check-${process.pid}.mjs`);
  cleanups.push(() => rmSync(outfile, { force: true }));
  await build({ entryPoints: [join(ROOT, "test/vm/runtime-v2-check.ts")], outfile, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "warning" });
  return outfile;
}

// Skipped only without the VM runner: this host has no cgroup v2 controllers, and the runner lives in
// ../shared/tools beside the checkout (CI and developer machines have it; CINFRA_V2VM points elsewhere).
describe.skipIf(!existsSync(VM))(`cgroup v2 in a VM (runner: ${VM})`, () => {

  it("passes the shared cgroup manager suite on a real unified hierarchy", async () => {
    const script = await bundleSuite();
    const r = await runInVm(`cd ${ROOT} && node ${script}`);
    console.log(`cgroup v2 suite in the VM: ${r.seconds.toFixed(1)} s\n${r.out}`);
    expect(r.out).toMatch(/^ok \d+ checks$/m);
    expect(r.code).toBe(0);
  }, VM_TIMEOUT);

  it("runs a container with limits, live update, OOM kill, the BPF device allow-list and a clean destroy", async () => {
    execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs")]);
    const script = await bundleRuntimeCheck();
    const r = await runInVm(`cd ${ROOT} && node ${script}`);
    console.log(`runtime check in the VM: ${r.seconds.toFixed(1)} s\n${r.out}`);
    expect(r.out).toContain("ok destroy left nothing");
    expect(r.out).toContain("ok v2 device programs freed with their cgroups");
    expect(r.code).toBe(0);
  }, VM_TIMEOUT);
});
