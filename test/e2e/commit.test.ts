/** `cinfra commit` through the real CLI: a second stack runs the committed image by its ref. */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { cinfra, sandbox, type Sandbox } from "../helpers/cli.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

describe("cinfra commit", () => {
  let box: Sandbox;
  let source: string;
  let reuse: string;

  beforeAll(() => {
    box = sandbox();
    makeBusyboxRootfs(join(box.dir, "rootfs"));
    writeFileSync(join(box.dir, "rootfs/etc/motd"), "from the base image\n");
    source = join(box.dir, "source.ts");
    writeFileSync(source, `
import { Container, Image } from "cinfra";
const image = new Image("busybox", { rootfs: "./rootfs", config: { env: { PATH: "/bin" } } });
new Container("builder", { image, command: ["sh", "-c", "rm /etc/motd; mkdir -p /opt/app && echo built > /opt/app/out.txt; exec sleep 1000"] });
`);
    reuse = join(box.dir, "reuse.ts");
    writeFileSync(reuse, `
import { Container, Image } from "cinfra";
const image = new Image("committed", { ref: "local/builder:1" });
new Container("runner", { image, command: ["sleep", "1000"] });
`);
    expect(cinfra(box, "apply", source, "--yes").code).toBe(0);
  });

  afterAll(() => {
    cinfra(box, "destroy", reuse, "--yes");
    expect(cinfra(box, "destroy", source, "--yes").code).toBe(0);
    expect(kernelObjectsNamed(`cinfra${box.tag}`)).toEqual([]);
    rmSync(box.dir, { recursive: true, force: true });
    rmSync(box.runRoot, { recursive: true, force: true });
  });

  it("a new container from the committed image sees the file written and not the file deleted", () => {
    // The builder's command has run once its sleep is PID 1's program.
    for (let i = 0; i < 50 && cinfra(box, "exec", "--stack", "source", "builder", "--", "test", "-f", "/opt/app/out.txt").code !== 0; i++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
    const committed = cinfra(box, "commit", "--stack", "source", "builder", "local/builder:1");
    expect(committed.stderr).toBe("");
    expect(committed.stdout).toMatch(/^committed container\.builder as docker\.io\/local\/builder:1 \(sha256:[0-9a-f]{64}\)$/m);

    const applied = cinfra(box, "apply", reuse, "--yes");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(cinfra(box, "exec", "--stack", "reuse", "runner", "--", "cat", "/opt/app/out.txt").stdout).toBe("built\n");
    const motd = cinfra(box, "exec", "--stack", "reuse", "runner", "--", "ls", "/etc/motd");
    expect(motd.code).not.toBe(0);
    expect(cinfra(box, "plan", reuse, "--detailed-exitcode").code).toBe(0);
  });
});
