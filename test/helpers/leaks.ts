import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";

/** Every kernel object whose name carries `marker`: mounts, links, cgroup dirs. Empty means nothing leaked. */
export function kernelObjectsNamed(marker: string): string[] {
  const found: string[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    if (line.includes(marker)) found.push(`mount ${line.split(" ")[4]}`);
  }
  const links = execFileSync("ip", ["-o", "link", "show"], { encoding: "utf8" });
  for (const line of links.split("\n")) if (line.includes(marker)) found.push(`link ${line.split(": ")[1]}`);
  for (const controller of existsSync("/sys/fs/cgroup") ? readdirSync("/sys/fs/cgroup") : []) {
    const dir = `/sys/fs/cgroup/${controller}`;
    try {
      for (const child of readdirSync(dir)) if (child.includes(marker)) found.push(`cgroup ${dir}/${child}`);
    } catch {
      // not a directory
    }
  }
  return found;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
