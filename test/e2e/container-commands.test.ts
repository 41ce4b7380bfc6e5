/** inspect, top, exec, stats and logs through the real CLI on a real container. */
import { readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBusyboxRootfs } from "../helpers/busybox-rootfs.js";
import { cinfra, sandbox, type Sandbox } from "../helpers/cli.js";
import { kernelObjectsNamed } from "../helpers/leaks.js";

describe("container commands", () => {
  let box: Sandbox;
  let stack: string;

  beforeAll(() => {
    box = sandbox();
    makeBusyboxRootfs(join(box.dir, "rootfs"));
    stack = join(box.dir, "tools.ts");
    writeFileSync(stack, `
import { Container, Image } from "cinfra";
const image = new Image("busybox", { rootfs: "./rootfs", config: { env: { PATH: "/bin" } } });
new Container("app", { image, command: ["sh", "-c", "echo started; exec sleep 1000"], limits: { memory: "40Mi" }, env: { MODE: "test" }, init: true });
`);
    expect(cinfra(box, "apply", stack, "--yes").code).toBe(0);
  });

  afterAll(() => {
    expect(cinfra(box, "destroy", stack, "--yes").code).toBe(0);
    expect(kernelObjectsNamed(`cinfra${box.tag}`)).toEqual([]);
    rmSync(box.dir, { recursive: true, force: true });
    rmSync(box.runRoot, { recursive: true, force: true });
  });

  it("inspect shows state, overlay dirs, namespaces and cgroup limits", () => {
    const [details] = JSON.parse(cinfra(box, "inspect", "app").stdout);
    expect(details.State.Status).toBe("running");
    expect(details.GraphDriver.Data.MergedDir).toMatch(/merged$/);
    expect(details.Namespaces.pid).toBe(readlinkSync(`/proc/${details.State.Pid}/ns/pid`));
    expect(details.Namespaces.pid).not.toBe(readlinkSync("/proc/self/ns/pid"));
    expect(details.Cgroup.Limits.memory).toBe(40 * 2 ** 20);
    const pid = cinfra(box, "inspect", "app", "--format", "{{.State.Pid}}").stdout.trim();
    expect(Number(pid)).toBe(details.State.Pid);
  });

  it("top lists host and container pids", () => {
    const out = cinfra(box, "top", "app").stdout;
    expect(out).toMatch(/^\d+\s+1\s+/m);
    expect(out).toContain("sleep 1000");
  });

  it("exec runs inside with the container's env and returns its exit code", () => {
    const r = cinfra(box, "exec", "app", "--", "sh", "-c", "echo $MODE; exit 5");
    expect(r.stdout).toBe("test\n");
    expect(r.code).toBe(5);
  });

  it("exec -i passes stdin, plain exec gives /dev/null, -t gives a terminal of the container's own", () => {
    const bin = join(import.meta.dirname, "../../bin/cinfra.mjs");
    const piped = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { env: box.env, input: "typed line\n", encoding: "utf8" }).stdout;
    expect(piped("exec", "-i", "app", "--", "cat")).toBe("typed line\n");
    expect(piped("exec", "app", "--", "cat")).toBe("");
    // script(1) gives cinfra a terminal of 40x100; inside, the command sees a pts of the container's devpts.
    const inner = `stty rows 40 cols 100; ${process.execPath} ${bin} exec -it app -- sh -c 'tty; stty size; test -t 0 && echo stdin-is-tty'`;
    const out = spawnSync("script", ["-qec", inner, "/dev/null"], { env: box.env, input: "", encoding: "utf8" }).stdout.replace(/\r/g, "");
    expect(out).toMatch(/\/dev\/pts\/\d+\n40 100\nstdin-is-tty\n/);
    // -t with piped input: the command reads it through the terminal, and our end of input ends its.
    const viaTty = spawnSync(process.execPath, [bin, "exec", "-it", "app", "--", "sh", "-c", "read line; echo got:$line"], { env: box.env, input: "hello\n", encoding: "utf8" });
    expect(viaTty.stdout.replace(/\r/g, "")).toContain("got:hello");
  });

  it("cp copies both ways and export streams the merged filesystem", () => {
    writeFileSync(join(box.dir, "in.txt"), "from the host\n");
    expect(cinfra(box, "cp", join(box.dir, "in.txt"), "app:/tmp/").code).toBe(0);
    expect(cinfra(box, "exec", "app", "--", "cat", "/tmp/in.txt").stdout).toBe("from the host\n");
    expect(cinfra(box, "cp", "app:/etc/passwd", join(box.dir, "passwd")).code).toBe(0);
    expect(readFileSync(join(box.dir, "passwd"), "utf8")).toContain("root:x:0:0");
    const tarFile = join(box.dir, "app.tar");
    execFileSync("sh", ["-c", `node ${join(import.meta.dirname, "../../bin/cinfra.mjs")} export app > ${tarFile}`], { env: box.env });
    const listing = execFileSync("tar", ["-tf", tarFile], { encoding: "utf8" });
    expect(listing).toContain("bin/busybox");
    expect(listing).toContain("tmp/in.txt");
    expect(listing).not.toMatch(/^proc\//m);

    // Round trip: the exported tar imported as an image (docker import) runs and holds the copied file.
    expect(cinfra(box, "images", "import", tarFile).stdout).toMatch(/^imported sha256:[0-9a-f]{64}$/m);
    const roundTrip = join(box.dir, "roundtrip.ts");
    writeFileSync(roundTrip, `import { Container, Image } from "cinfra";
const image = new Image("exported", { rootfs: "./app.tar", config: { env: { PATH: "/bin" } } });
new Container("again", { image, command: ["sleep", "1000"] });
`);
    try {
      expect(cinfra(box, "apply", roundTrip, "--yes").code).toBe(0);
      expect(cinfra(box, "exec", "--stack", "roundtrip", "again", "--", "cat", "/tmp/in.txt").stdout).toBe("from the host\n");
    } finally {
      expect(cinfra(box, "destroy", roundTrip, "--yes").code).toBe(0);
    }
  });

  it("stats streams samples, with CPU % from the cgroup's usage between them, until interrupted", async () => {
    const bin = join(import.meta.dirname, "../../bin/cinfra.mjs");
    const busy = spawn(process.execPath, [bin, "exec", "app", "--", "sh", "-c", "timeout 3 sh -c 'while :; do :; done'"], { env: box.env, stdio: "ignore" });
    const stream = spawn(process.execPath, [bin, "stats", "app", "--json", "--interval", "0.3"], { env: box.env, stdio: ["ignore", "pipe", "inherit"] });
    const samples: { cpuUsageNs: number; cpuPercent: number | null }[][] = [];
    let buffered = "";
    await new Promise<void>((resolve) => stream.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        samples.push(JSON.parse(buffered.slice(0, nl)));
        buffered = buffered.slice(nl + 1);
      }
      if (samples.length >= 5) resolve();
    }));
    stream.kill("SIGINT");
    const [code] = await once(stream, "exit");
    busy.kill();
    expect(code).toBe(0);
    expect(samples[0][0].cpuPercent).toBeNull();
    expect(samples[4][0].cpuUsageNs).toBeGreaterThan(samples[1][0].cpuUsageNs);
    expect(Math.max(...samples.slice(2).map((s) => s[0].cpuPercent ?? 0))).toBeGreaterThan(20); // a busy loop on one core
  });

  it("stats and logs read the container", () => {
    const [stats] = JSON.parse(cinfra(box, "stats", "app", "--no-stream", "--json").stdout);
    expect(stats.memoryLimit).toBe(40 * 2 ** 20);
    expect(cinfra(box, "logs", "app").stdout).toBe("started\n");
  });
});
