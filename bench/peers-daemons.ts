/**
 * podman and dockerd as bench peers (see bench/peers.ts). podman runs with its own root/runroot/tmpdir, cgroupfs
 * manager, file events, vfs storage, `--rootfs` (no registry) and runc (crun refuses this hybrid cgroup host).
 * dockerd is our own daemon as in bench/compose.mjs: private socket, data/exec roots and pidfile, no bridge, no
 * iptables, cgroupfs under `cinfrabench-<pid>`; the busybox rootfs is `docker import`ed. Both stop what they started.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { makeBusyboxRootfs } from "../test/helpers/busybox-rootfs.js";
import { ppid, run, TAG, type Peer } from "./peers.js";

function need(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`not installed: apt-get install -y ${pkg}`);
}

/** Paths a tool creates whatever its roots say; removed at the end only when this run made them. */
function leftovers(paths: string[]): () => void {
  const fresh = paths.filter((p) => !existsSync(p));
  return () => {
    for (const p of fresh) rmSync(p, { recursive: true, force: true });
  };
}

function kbRss(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export class PodmanPeer implements Peer {
  readonly name = "podman";
  private readonly base: string;
  private readonly opts: string[];
  private cleanup = () => {};
  constructor(private readonly dir: string) {
    this.base = join(dir, "podman");
    this.opts = [
      "--root", join(this.base, "root"), "--runroot", join(this.base, "run"), "--tmpdir", join(this.base, "tmp"),
      "--cgroup-manager", "cgroupfs", "--events-backend", "file", "--runtime", "runc", "--storage-driver", "vfs", "--log-level", "error",
    ];
  }

  private podman(...args: string[]): string {
    return run("podman", [...this.opts, ...args]);
  }

  async setup(): Promise<void> {
    need("/usr/bin/podman", "podman");
    need("/usr/sbin/runc", "runc");
    this.cleanup = leftovers(["/etc/containers/networks", "/run/containers", "/var/lib/containers"]);
    makeBusyboxRootfs(join(this.base, "rootfs"));
  }

  start(i: number, args: string[]): void {
    // Podman's default RLIMIT_NOFILE/NPROC exceed this host's hard limits (runc: "error setting rlimit"): set them.
    this.podman("run", "-d", "--name", `${TAG}-podman-${i}`, "--network", "none", "--cgroup-parent", TAG,
      "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096", "--memory", "64m", "--pids-limit", "32",
      "-v", `${join(this.dir, "out")}:/out`, "--rootfs", join(this.base, "rootfs"), ...args);
  }

  remove(i: number): void {
    this.podman("rm", "-f", "-t", "0", `${TAG}-podman-${i}`);
  }

  overheadPids(i: number): number[] {
    return [Number(this.podman("inspect", "--format", "{{.State.ConmonPid}}", `${TAG}-podman-${i}`).trim())];
  }

  sharedNote(): string {
    return "no daemon; conmon per container";
  }

  async teardown(): Promise<void> {
    spawnSync("podman", [...this.opts, "rm", "-a", "-f", "-t", "0"], { stdio: "ignore" });
    this.cleanup();
  }
}

export class DockerPeer implements Peer {
  readonly name = "docker";
  private daemon: ChildProcess | null = null;
  private readonly base: string;
  private readonly sock: string;
  private readonly env: NodeJS.ProcessEnv;
  private cleanup = () => {};
  constructor(private readonly dir: string) {
    this.base = join(dir, "docker");
    this.sock = join(this.base, "docker.sock");
    this.env = { ...process.env, DOCKER_HOST: `unix://${this.sock}`, DOCKER_CONFIG: join(this.base, "client") };
  }

  private docker(...args: string[]): string {
    return run("/usr/bin/docker", args, this.env); // /usr/bin: another `docker` may come first in PATH
  }

  async setup(): Promise<void> {
    need("/usr/sbin/dockerd", "docker.io");
    need("/usr/bin/docker", "docker.io");
    // dockerd 20.10 writes its trust key and plugin dir whatever its roots.
    this.cleanup = leftovers(["/etc/docker/key.json", "/etc/docker", "/run/docker/plugins", "/run/docker"]);
    mkdirSync(this.base, { recursive: true });
    this.daemon = spawn("/usr/sbin/dockerd", [
      "--data-root", join(this.base, "data"), "--exec-root", join(this.base, "exec"), "--pidfile", join(this.base, "docker.pid"),
      "-H", `unix://${this.sock}`, "--iptables=false", "--ip6tables=false", "--ip-forward=false", "--bridge=none",
      `--cgroup-parent=${TAG}`, "--exec-opt", "native.cgroupdriver=cgroupfs", "--log-level=error",
    ], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    this.daemon.stderr!.on("data", (d) => { log += d; });
    for (let i = 0; ; i++) {
      if (this.daemon.exitCode !== null) throw new Error(`dockerd exited ${this.daemon.exitCode}: ${log.trim().slice(-300)}`);
      if (existsSync(this.sock) && spawnSync("/usr/bin/docker", ["info"], { env: this.env, stdio: "ignore" }).status === 0) break;
      if (i > 300) throw new Error(`dockerd did not answer on ${this.sock}: ${log.trim().slice(-300)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const rootfs = makeBusyboxRootfs(join(this.base, "rootfs"));
    run("bash", ["-c", 'tar -C "$1" -c . | /usr/bin/docker import - cinfrabench-busybox >/dev/null', "import", rootfs], this.env);
  }

  start(i: number, args: string[]): void {
    this.docker("run", "-d", "--name", `${TAG}-docker-${i}`, "--network", "none", "--memory", "64m", "--pids-limit", "32",
      "-v", `${join(this.dir, "out")}:/out`, "cinfrabench-busybox", ...args);
  }

  remove(i: number): void {
    this.docker("rm", "-f", `${TAG}-docker-${i}`);
  }

  overheadPids(i: number): number[] {
    const init = Number(this.docker("inspect", "--format", "{{.State.Pid}}", `${TAG}-docker-${i}`).trim());
    return [ppid(init)]; // containerd-shim-runc-v2
  }

  sharedNote(): string {
    const daemon = this.daemon?.pid ?? 0;
    const containerd = spawnSync("pgrep", ["-P", String(daemon), "containerd"], { encoding: "utf8" }).stdout.trim().split("\n").map(Number).filter(Boolean);
    const mb = (kbRss(daemon) + containerd.reduce((a, p) => a + kbRss(p), 0)) / 1024;
    return `plus dockerd + containerd ${mb.toFixed(0)} MB RSS shared by all`;
  }

  async teardown(): Promise<void> {
    if (this.daemon && this.daemon.exitCode === null) {
      const ids = spawnSync("/usr/bin/docker", ["ps", "-aq"], { env: this.env, encoding: "utf8" }).stdout?.split("\n").filter(Boolean) ?? [];
      if (ids.length) spawnSync("/usr/bin/docker", ["rm", "-f", ...ids], { env: this.env, stdio: "ignore" });
      const exited = new Promise((r) => this.daemon!.once("exit", r));
      this.daemon.kill("SIGTERM");
      const timer = setTimeout(() => this.daemon?.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    this.cleanup();
  }
}
