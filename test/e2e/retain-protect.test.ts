/**
 * retainOnDelete and protect through the real CLI: a retained container left out of the program is
 * forgotten (plan says so, text and --json) and keeps running; a protected one cannot be removed.
 * Teardown puts the exported rows back (without the options) and destroys, so nothing leaks.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { cinfra, sandbox } from "../helpers/cli.js";
import { kernelObjectsNamed, processAlive } from "../helpers/leaks.js";

const box = sandbox();
const file = (name: string) => join(box.dir, name);
const run = (...args: string[]) => cinfra(box, ...args, "--stack", "keep");

function program(options: string | null): string {
  return `import { Container, Image } from "cinfra";
const image = new Image("busybox", { rootfs: "./rootfs" });
${options === null ? "void image;" : `new Container("web", { image, command: ["sleep", "3600"], init: true, network: "none" }, ${options});`}
`;
}

beforeAll(() => {
  makeBusyboxRootfs(file("rootfs"));
  writeFileSync(file("retain.ts"), program("{ retainOnDelete: true }"));
  writeFileSync(file("protect.ts"), program("{ protect: true }"));
  writeFileSync(file("plain.ts"), program("{}"));
  writeFileSync(file("none.ts"), program(null));
});

afterAll(() => {
  run("destroy", "--yes");
  rmSync(box.dir, { recursive: true, force: true });
  rmSync(box.runRoot, { recursive: true, force: true });
});

const urns = () => (JSON.parse(cinfra(box, "state", "list", "--json").stdout) as { stack: string; urn: string }[])
  .filter((r) => r.stack === "keep").map((r) => r.urn);

describe("retainOnDelete and protect", () => {
  it("refuses to plan away or destroy a protected container, until protect: false is applied", () => {
    expect(run("apply", file("protect.ts"), "--yes").code).toBe(0);
    const removed = run("plan", file("none.ts"));
    expect(removed.code).toBe(1);
    expect(removed.stderr).toContain("container.web is protected, but it is no longer in the program");
    const destroy = run("destroy", "--yes");
    expect(destroy.code).toBe(1);
    expect(urns()).toEqual(["container.web", "image.busybox"]);
    const unprotect = run("plan", file("plain.ts"));
    expect(unprotect.stdout).toContain("# container.web: state will record protect = false, retainOnDelete = false");
    expect(run("apply", file("plain.ts"), "--yes").code).toBe(0);
    expect(run("plan", file("plain.ts"), "--detailed-exitcode").code).toBe(0);
  });

  it("forgets a retained container left out of the program, and leaves it running", () => {
    expect(run("apply", file("retain.ts"), "--yes").code).toBe(0);
    const shown = JSON.parse(cinfra(box, "state", "show", "web", "--json").stdout) as { outputs: { pid: number }; options: unknown };
    expect(shown.options).toEqual({ retainOnDelete: true });
    writeFileSync(file("saved.json"), run("state", "export").stdout);

    const text = run("plan", file("none.ts"), "--detailed-exitcode");
    expect(text.code).toBe(2);
    expect(text.stdout).toContain("# container.web will be removed from state only: the object is left running, unmanaged");
    expect(text.stdout).toContain("# (because of: retainOnDelete)");
    expect(text.stdout).toContain("Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget.");
    const json = JSON.parse(run("plan", file("none.ts"), "--json").stdout) as { resource_changes: { address: string }[] };
    expect(json.resource_changes.find((r) => r.address === "container.web")).toMatchObject({
      change: { actions: ["forget"] }, action_reason: "forget_because_retain_on_delete",
    });

    const applied = run("apply", file("none.ts"), "--yes");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("1 forgotten (left running)");
    expect(urns()).toEqual(["image.busybox"]);
    expect(processAlive(shown.outputs.pid)).toBe(true);
    expect(kernelObjectsNamed(box.cgroupParent).length).toBeGreaterThan(0);
  });

  it("leaves nothing behind once the forgotten rows are put back and destroyed", () => {
    const data = JSON.parse(readFileSync(file("saved.json"), "utf8")) as { resources: { options?: unknown }[] };
    for (const r of data.resources) delete r.options;
    writeFileSync(file("saved.json"), JSON.stringify(data));
    expect(run("state", "import", file("saved.json"), "--force").code).toBe(0);
    expect(run("destroy", "--yes").code).toBe(0);
    expect(kernelObjectsNamed(box.cgroupParent)).toEqual([]);
    expect(kernelObjectsNamed(box.linkPrefix)).toEqual([]);
  });
});
