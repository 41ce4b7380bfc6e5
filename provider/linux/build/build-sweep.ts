/**
 * Leftovers of RUN steps whose builder died mid-step (a crash or kill -9 of cinfra): every RUN's
 * objects are named `build-<pid>-<random>`, so those of a pid that no longer runs are found
 * without state — cgroup (its processes killed), netns mount, state and overlay dirs.
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pidAlive } from "../images/store-paths.js";
import { removeNetns } from "../net/netns.js";
import { stopContainer } from "../supervise/stop.js";
import type { RunDeps } from "./run-step.js";

const BUILD_ID = /^build-(\d+)-[0-9a-f]+/;

const deadBuild = (name: string): string | null => {
  const m = BUILD_ID.exec(name);
  return m && !pidAlive(Number(m[1])) ? m[0] : null;
};

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Remove what dead builders left; returns the step ids cleaned. */
export async function sweepDeadBuilds(deps: RunDeps): Promise<string[]> {
  const { config, cgroups } = deps;
  const runDir = join(config.runRoot, "builds");
  const libDir = join(config.libRoot, "builds");
  const ids = new Set<string>();
  for (const name of [...list(runDir), ...list(libDir), ...(await cgroups.list().catch(() => []))]) {
    const id = deadBuild(name);
    if (id) ids.add(id);
  }
  for (const id of ids) {
    await stopContainer(join(runDir, id), { signal: "SIGKILL", timeoutMs: 0 }).catch(() => undefined);
    await cgroups.kill(id).catch(() => undefined);
    await cgroups.destroy(id).catch(() => undefined);
    removeNetns(join(runDir, `${id}.netns`));
    rmSync(join(runDir, id), { recursive: true, force: true });
    rmSync(join(libDir, id), { recursive: true, force: true });
  }
  if (ids.size > 0) await cgroups.removeParent().catch(() => undefined);
  return [...ids];
}
