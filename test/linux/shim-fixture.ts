/**
 * Containers started straight through provider/linux/supervise (no runtime, no cgroups, no network):
 * a busybox lower dir under an overlay premount in `/tmp/cinfra<tag>-shim`, a fresh empty net ns,
 * and a teardown that kills what is left and proves no process or mount survived.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { defaultContainerMounts, defaultDevices, type ContainerSpec } from "../../provider/linux/supervise/spec.js";
import { processStartTime } from "../../provider/linux/supervise/process-info.js";
import { readContainerStatus, type ContainerStatus } from "../../provider/linux/supervise/status.js";
import { stopContainer } from "../../provider/linux/supervise/stop.js";
import { makeBusyboxRootfs, runTag } from "../helpers/busybox-rootfs.js";

export class ShimSandbox {
  readonly tag = runTag();
  readonly dir = `/tmp/cinfra${this.tag}-shim`;
  readonly lower = join(this.dir, "lower");
  private readonly stateDirs: string[] = [];
  private count = 0;

  constructor() {
    mkdirSync(this.dir, { recursive: true });
    makeBusyboxRootfs(this.lower);
  }

  /** A spec for a new container running `args`, its own overlay over the shared busybox lower dir. */
  spec(args: string[], extra: Partial<ContainerSpec> = {}): ContainerSpec {
    const id = `cinfra${this.tag}c${this.count++}`;
    const base = join(this.dir, id);
    for (const d of ["upper", "work", "merged", "state"]) mkdirSync(join(base, d), { recursive: true });
    const stateDir = join(base, "state");
    this.stateDirs.push(stateDir);
    const { devices, symlinks } = defaultDevices();
    return {
      id, stateDir, rootfs: join(base, "merged"),
      premounts: [{
        source: "overlay", target: join(base, "merged"), fstype: "overlay", flags: 0,
        data: `lowerdir=${this.lower},upperdir=${join(base, "upper")},workdir=${join(base, "work")}`,
      }],
      mounts: defaultContainerMounts(), devices, symlinks,
      namespaces: ["pid", "mnt", "uts", "ipc", "net", "cgroup"],
      hostname: id, cgroupProcs: [], args, env: ["PATH=/bin", "HOME=/root"], cwd: "/",
      uid: 0, gid: 0, additionalGids: [],
      stdoutPath: join(base, "stdout.log"), stderrPath: join(base, "stderr.log"), init: false,
      ...extra,
    };
  }

  log(spec: ContainerSpec, stream: "stdout" | "stderr" = "stdout"): string {
    try {
      return readFileSync(stream === "stdout" ? spec.stdoutPath : spec.stderrPath, "utf8");
    } catch {
      return "";
    }
  }

  /** Poll until the shim has recorded the exit (never a fixed sleep). */
  async waitExit(spec: ContainerSpec, timeoutMs = 15_000): Promise<ContainerStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = readContainerStatus(spec.stateDir);
      if (status.state === "exited" || status.state === "dead" || Date.now() > deadline) return status;
      await sleep(20);
    }
  }

  async waitOutput(spec: ContainerSpec, text: string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const out = this.log(spec);
      if (out.includes(text) || Date.now() > deadline) return out;
      await sleep(10);
    }
  }

  /** Processes this sandbox started that still run (zombies count as gone: this host's PID 1 never reaps). */
  liveProcesses(): string[] {
    const live: string[] = [];
    for (const dir of this.stateDirs) {
      for (const file of ["pid", "shim"]) {
        let line: string;
        try {
          line = readFileSync(join(dir, file), "utf8");
        } catch {
          continue;
        }
        const [pid, ticks] = line.trim().split(" ").map(Number);
        if (processStartTime(pid) === ticks) live.push(`${file} ${pid} of ${dir}`);
      }
    }
    return live;
  }

  mountsLeft(): string[] {
    return readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.includes(`cinfra${this.tag}`));
  }

  async teardown(): Promise<{ processes: string[]; mounts: string[] }> {
    for (const dir of this.stateDirs) await stopContainer(dir, { signal: "SIGKILL", timeoutMs: 0 });
    const left = { processes: this.liveProcesses(), mounts: this.mountsLeft() };
    rmSync(this.dir, { recursive: true, force: true });
    return left;
  }
}
