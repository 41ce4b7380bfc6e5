/**
 * A cgroup root for tests: this host's v1 controller mounts (symlinked) plus v1 hierarchies of controllers
 * the host leaves unmounted (net_cls, net_prio, hugetlb here), mounted under a `cinfra<tag>` dir and
 * unmounted in teardown. A v1 hierarchy outlives its umount while a removed child is still being released
 * (the controller then stays bound to it, off the unified hierarchy): so teardown waits for the children
 * to go, and mounts and unmounts again until /proc/cgroups shows the controller unbound.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";

const HOST = "/sys/fs/cgroup";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Hierarchy id and cgroup count of a controller (/proc/cgroups); hierarchy 0 = not bound to a v1 mount. */
export function controllerBinding(controller: string): { hierarchy: number; cgroups: number } | null {
  const line = readFileSync("/proc/cgroups", "utf8").split("\n").find((l) => l.split("\t")[0] === controller);
  if (!line) return null;
  const [, hierarchy, cgroups] = line.split("\t").map(Number);
  return { hierarchy, cgroups };
}

/** Controllers the kernel has that no v1 mount holds: the ones a test may mount. */
export function unmountedControllers(wanted: readonly string[]): string[] {
  return wanted.filter((c) => controllerBinding(c)?.hierarchy === 0 && !existsSync(join(HOST, c)));
}

export interface TestCgroupRoot {
  root: string;
  cleanup(): Promise<void>;
}

export function mountTestCgroupRoot(dir: string, extra: readonly string[]): TestCgroupRoot {
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(HOST)) {
    if (entry !== "unified" && existsSync(join(HOST, entry, "cgroup.procs"))) symlinkSync(join(HOST, entry), join(dir, entry));
  }
  const mounted: string[] = [];
  const mount = (c: string) => execFileSync("mount", ["-t", "cgroup", "-o", c, "cgroup", join(dir, c)], { stdio: "pipe" });
  for (const c of extra) {
    mkdirSync(join(dir, c));
    mount(c);
    mounted.push(c);
  }
  return {
    root: dir,
    async cleanup() {
      const stuck: string[] = [];
      for (const c of mounted) {
        try {
          await release(c, () => mount(c), join(dir, c));
        } catch {
          stuck.push(c);
        }
      }
      rmSync(dir, { recursive: true, force: true });
      if (stuck.length) throw new Error(`${stuck.join(", ")} still bound to a v1 hierarchy after unmounting`);
    },
  };
}

/** Unmount one test hierarchy and wait until the kernel releases it (seconds: the root is freed by deferred work). */
async function release(c: string, mount: () => void, target: string): Promise<void> {
  for (let i = 0; i < 100 && (controllerBinding(c)?.cgroups ?? 1) > 1; i++) await sleep(50);
  execFileSync("umount", [target]);
  for (let attempt = 0; attempt < 3; attempt++) {
    for (let i = 0; i < 100 && controllerBinding(c)?.hierarchy !== 0; i++) await sleep(50);
    if (controllerBinding(c)?.hierarchy === 0) return;
    mount(); // the same hierarchy again, now without children: its umount releases it
    execFileSync("umount", [target]);
  }
  throw new Error(`${c} is still bound`);
}

/** Does this host's blkio controller offer a weight file (CFQ or BFQ as some disk's scheduler)? */
export function blkioWeightOffered(): boolean {
  try {
    return readdirSync("/sys/block").some((d) => /\b(bfq|cfq)\b/.test(readFileSync(`/sys/block/${d}/queue/scheduler`, "utf8")));
  } catch {
    return false;
  }
}
