/** The native helper on the real kernel: namespaces, overlay root, identity, exit records, logs, start errors. */
import { hostname } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { ContainerStartError, startContainer } from "../../provider/linux/supervise/start.js";
import { ShimSandbox } from "./shim-fixture.js";

describe("native container helper: start", () => {
  const box = new ShimSandbox();

  afterAll(async () => {
    expect(await box.teardown()).toEqual({ processes: [], mounts: [] });
  });

  it("runs the command as PID 1 of its own pid namespace, seeing only its own processes", async () => {
    const spec = box.spec(["sh", "-c", "echo pid=$$; sleep 30 & ps -o pid,comm; ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' '"]);
    const started = await startContainer(spec);
    expect(started.pid).not.toBe(started.shimPid);
    await box.waitExit(spec);
    const [first, ...rest] = box.log(spec).trim().split("\n");
    expect(first).toBe("pid=1");
    const ps = rest.slice(0, -1).join("\n");
    expect(ps).toMatch(/^\s*1 sh$/m);
    expect(ps.split("\n").length).toBeLessThanOrEqual(4); // header, sh, the background sleep, ps itself
    expect(ps).not.toMatch(/node|vitest|cinfra-shim/);
    const pids = rest.at(-1)!.trim().split(" ").map(Number);
    expect(Math.max(...pids)).toBeLessThan(10); // the host has hundreds
  });

  it("has its own hostname and leaves the host's alone", async () => {
    const before = hostname();
    const spec = box.spec(["sh", "-c", "hostname; hostname other-name && hostname"], { hostname: `cinfra${box.tag}-host` });
    await startContainer(spec);
    await box.waitExit(spec);
    expect(box.log(spec)).toBe(`cinfra${box.tag}-host\nother-name\n`);
    expect(hostname()).toBe(before);
  });

  it("sees the overlay root only; its writes land in the upper dir, not the image", async () => {
    const spec = box.spec(["sh", "-c", "echo hi > /written; cat /proc/self/mountinfo | grep ' / / '; ls /written"]);
    await startContainer(spec);
    await box.waitExit(spec);
    expect(box.log(spec)).toMatch(/ \/ \/ .* - overlay overlay /);
    expect(box.log(spec)).toContain("/written\n");
    const { existsSync } = await import("node:fs");
    expect(existsSync(`${box.lower}/written`)).toBe(false);
    expect(existsSync(`${spec.rootfs.replace(/merged$/, "upper")}/written`)).toBe(true);
  });

  it("runs with the given user, groups, working dir and environment, PATH looked up inside", async () => {
    const spec = box.spec(["sh", "-c", "id; pwd; echo $GREETING; which sleep"], {
      uid: 65534, gid: 65534, additionalGids: [10, 20], cwd: "/tmp/work", env: ["PATH=/bin", "GREETING=hello there"],
    });
    await startContainer(spec);
    await box.waitExit(spec);
    expect(box.log(spec)).toBe("uid=65534(nobody) gid=65534(nogroup) groups=10,20\n/tmp/work\nhello there\n/bin/sleep\n");
  });

  it("records exit codes and deaths by signal", async () => {
    const three = box.spec(["sh", "-c", "exit 3"]);
    await startContainer(three);
    expect(await box.waitExit(three)).toMatchObject({ state: "exited", exitCode: 3, signal: null, pid: null });

    const killed = box.spec(["sleep", "1000"]);
    const { pid } = await startContainer(killed);
    process.kill(pid, "SIGKILL"); // only SIGKILL reaches a namespace init without a handler
    const status = await box.waitExit(killed);
    expect(status).toMatchObject({ state: "exited", signal: 9, exitCode: 137 });
    expect(status.finishedAt).toBeGreaterThanOrEqual(status.startedAt!);
  });

  it("writes stdout and stderr straight to their log files, stdin is /dev/null", async () => {
    const spec = box.spec(["sh", "-c", "echo to-out; echo to-err >&2; cat; readlink /proc/self/fd/0"]);
    await startContainer(spec);
    await box.waitExit(spec);
    expect(box.log(spec, "stdout")).toBe("to-out\n/dev/null\n");
    expect(box.log(spec, "stderr")).toBe("to-err\n");
  });

  it("gives the program default signal dispositions (the shim's ignored ones do not leak)", async () => {
    const spec = box.spec(["grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"]);
    await startContainer(spec);
    await box.waitExit(spec);
    expect(box.log(spec)).toBe("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
  });

  it("reports a missing command as an execve ENOENT start error and leaves nothing running", async () => {
    const spec = box.spec(["no-such-command", "arg"]);
    const error = await startContainer(spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerStartError);
    expect(error).toMatchObject({ code: "CONTAINER_START", step: "execve", errno: 2 });
    expect((error as Error).message).toMatch(/execve no-such-command: ENOENT \(no "no-such-command" in the image's PATH\)/);
    expect(box.liveProcesses()).toEqual([]);
  });

  it("refuses to mount or pivot without a mount namespace of its own (the host's would change)", async () => {
    const spec = box.spec(["true"], { namespaces: ["pid", "uts"] });
    const error = await startContainer(spec).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONTAINER_START", step: "mnt-namespace-required", errno: 22 });
    expect(box.mountsLeft()).toEqual([]);
  });

  it("names the failing step and path when a mount cannot be made", async () => {
    const spec = box.spec(["true"]);
    spec.mounts.push({ source: "/nonexistent-cinfra-source", target: "/data", fstype: "", flags: 4096 /* MS_BIND */, data: "" });
    const error = await startContainer(spec).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONTAINER_START", step: "mount-bind", errno: 2 });
    expect((error as Error).message).toContain(`${spec.rootfs}/data: ENOENT`);
  });
});
