/**
 * The peer runtimes the runtime benches compare cinfra with, all on one busybox rootfs and all isolated from the
 * host's own setup: runc and crun on an OCI bundle, podman with `--rootfs` and its own roots, and a private dockerd
 * (own socket, data/exec roots, no bridge, no iptables; the approach of bench/compose.mjs). Every container is
 * `cinfrabench-<pid>-…`, every cgroup sits under `cinfrabench-<pid>`, and `teardown()` removes them.
 * A peer that cannot run here throws from `setup()` with the reason (and the apt-get line when it is missing).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, watch, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { makeBusyboxRootfs } from "../test/helpers/busybox-rootfs.js";

export interface Peer {
  readonly name: string;
  setup(): Promise<void>;
  /** Create+start container `i` detached; `args` is the user command. Resolves once the CLI returned. */
  start(i: number, args: string[]): void;
  /** Stop (SIGKILL) and delete container `i`. */
  remove(i: number): void;
  /** Processes per running container that are not the workload (conmon, containerd shim); [] when none. */
  overheadPids(i: number): number[];
  /** A note about what else runs for all containers (daemons), for the memory figure. */
  sharedNote(): string;
  teardown(): Promise<void>;
}

export const TAG = `cinfrabench-${process.pid}`;

/** Resolves when `path` contains `text`: inotify on its directory, plus a 5 ms re-check in case an event is missed. */
export async function waitForText(path: string, text: string, timeoutMs = 20_000): Promise<void> {
  const has = () => {
    try {
      return readFileSync(path, "utf8").includes(text);
    } catch {
      return false;
    }
  };
  if (has()) return;
  await new Promise<void>((resolve, reject) => {
    const watcher = watch(dirname(path), () => check());
    const timer = setInterval(() => check(), 5);
    const deadline = setTimeout(() => done(new Error(`${path} never held "${text}"`)), timeoutMs);
    function done(error?: Error) {
      watcher.close();
      clearInterval(timer);
      clearTimeout(deadline);
      if (error) reject(error);
      else resolve();
    }
    function check() {
      if (has()) done();
    }
  });
}

/** Run a peer's command; its stdout, or an error with the tail of what it said. */
export function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", env, maxBuffer: 1 << 26 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(" ")}… exited ${r.status}: ${(r.stderr || r.stdout).trim().split("\n").slice(-2).join(" ")}`);
  return r.stdout;
}

function installed(tool: string, pkg: string): void {
  if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) throw new Error(`not installed: apt-get install -y ${pkg}`);
}

export function ppid(pid: number): number {
  return Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
}

/** Remove cgroup `name` (and children) from every hierarchy; only our own, by name. */
export function removeCgroups(name: string): void {
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(join(d, e.name));
    rmdirSync(d);
  };
  for (const controller of readdirSync("/sys/fs/cgroup")) {
    const top = join("/sys/fs/cgroup", controller, name);
    if (!existsSync(top)) continue;
    try {
      walk(top);
    } catch (error) {
      console.error(`could not remove ${top}: ${(error as Error).message}`);
    }
  }
}

/** Lazily unmount whatever is still mounted below `dir` (podman's shm, say), then remove it. */
export function removeDir(dir: string): void {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ")[4]).filter((m) => m?.startsWith(`${dir}/`));
  for (const m of mounts.reverse()) spawnSync("umount", ["-l", m]);
  rmSync(dir, { recursive: true, force: true });
}

/** runc, or crun inside a private mount namespace where the cgroup2 mount is gone (crun refuses hybrid hosts). */
export class OciPeer implements Peer {
  private ns: ChildProcess | null = null;
  private bundle = "";
  private spec: unknown = null;
  constructor(readonly name: "runc" | "crun", private readonly dir: string) {}

  async setup(): Promise<void> {
    installed(this.name, this.name);
    this.bundle = join(this.dir, this.name);
    makeBusyboxRootfs(join(this.bundle, "rootfs"));
    run(this.name, ["spec", "--bundle", this.bundle]);
    this.spec = JSON.parse(readFileSync(join(this.bundle, "config.json"), "utf8"));
    if (this.name === "crun") await this.privateCgroupView();
  }

  /** `unshare -m` makes mounts private to the new namespace, so the umount never reaches the host's. */
  private async privateCgroupView(): Promise<void> {
    this.ns = spawn("unshare", ["-m", "--propagation", "private", "sh", "-c", "umount /sys/fs/cgroup/unified && exec sleep infinity"], { stdio: "ignore" });
    const pid = this.ns.pid!;
    for (let i = 0; i < 400; i++) {
      if (this.ns.exitCode !== null) throw new Error(`unshare -m + umount /sys/fs/cgroup/unified exited ${this.ns.exitCode}`);
      try {
        if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "sleep") return;
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error("the private mount namespace did not come up");
  }

  /** The wrapper crun needs here (nsenter into the namespace); its own cost is measured by `wrapperMs`. */
  private cmd(args: string[]): [string, string[]] {
    return this.ns ? ["nsenter", ["-t", String(this.ns.pid), "-m", this.name, ...args]] : [this.name, args];
  }

  /** Median cost of the nsenter wrapper alone (`nsenter … true`), 0 for runc. */
  wrapperMs(n: number): number {
    if (!this.ns) return 0;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      run("nsenter", ["-t", String(this.ns.pid), "-m", "true"]);
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[Math.floor(n / 2)];
  }

  start(i: number, args: string[]): void {
    // The runtime's own default spec (its default capabilities, masked paths, /dev), with our command, a bind
    // mount for the ready marker, the cgroup namespace and the limits cinfra's side sets too.
    const spec = structuredClone(this.spec) as { process: Record<string, unknown>; root: Record<string, unknown>; mounts: unknown[]; linux: Record<string, unknown> & { namespaces: { type: string }[] } };
    Object.assign(spec.process, { terminal: false, args });
    spec.root = { path: join(this.bundle, "rootfs"), readonly: false };
    spec.mounts.push({ destination: "/out", type: "bind", source: join(this.dir, "out"), options: ["rbind", "rw"] });
    spec.linux.cgroupsPath = `/${TAG}/${TAG}-${this.name}-${i}`;
    spec.linux.resources = { ...(spec.linux.resources as object), memory: { limit: 64 << 20 }, pids: { limit: 32 } };
    if (!spec.linux.namespaces.some((n) => n.type === "cgroup")) spec.linux.namespaces.push({ type: "cgroup" });
    const b = join(this.dir, `${this.name}-bundle-${i}`);
    mkdirSync(b, { recursive: true });
    writeFileSync(join(b, "config.json"), JSON.stringify(spec));
    const [cmd, cmdArgs] = this.cmd(["run", "-d", "--bundle", b, `${TAG}-${this.name}-${i}`]);
    // stderr to a file, not a pipe: the container inherits it, and a pipe would keep spawnSync waiting for it.
    const log = join(b, "stderr.log");
    const fd = openSync(log, "w");
    try {
      const r = spawnSync(cmd, cmdArgs, { stdio: ["ignore", "ignore", fd] });
      if (r.status !== 0) throw new Error(`${this.name} run -d exited ${r.status}: ${readFileSync(log, "utf8").trim()}`);
    } finally {
      closeSync(fd);
    }
  }

  remove(i: number): void {
    const [cmd, args] = this.cmd(["delete", "-f", `${TAG}-${this.name}-${i}`]);
    run(cmd, args);
  }

  overheadPids(): number[] {
    return []; // the OCI runtime exits once the container runs: no process per container
  }

  sharedNote(): string {
    return "no daemon, no per-container process";
  }

  async teardown(): Promise<void> {
    if (this.bundle) {
      const [cmd, args] = this.cmd(["list", "-q"]);
      const ids = spawnSync(cmd, args, { encoding: "utf8" }).stdout?.split("\n").filter((id) => id.startsWith(TAG)) ?? [];
      for (const id of ids) spawnSync(...this.cmd(["delete", "-f", id]));
    }
    if (this.ns && this.ns.exitCode === null) {
      const exited = new Promise((r) => this.ns!.once("exit", r));
      this.ns.kill("SIGKILL");
      await exited;
    }
  }
}
