/** Small synchronous helpers over cgroupfs files; every failed write becomes a SyscallError naming the file. */
import { closeSync, constants, openSync, readFileSync, readdirSync, rmdirSync, statfsSync, unlinkSync, writeSync } from "node:fs";
import { constants as os } from "node:os";
import { join } from "node:path";
import { SyscallError } from "../../../core/errors.js";

const CGROUP_SUPER_MAGIC = 0x27e0eb;
const CGROUP2_SUPER_MAGIC = 0x63677270;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function toSyscallError(call: string, path: string, error: unknown, detail?: string): SyscallError {
  const code = (error as NodeJS.ErrnoException).code ?? "EIO";
  const errno = (os.errno as Record<string, number>)[code] ?? 5;
  return new SyscallError(call, errno, path, detail ?? (errno === 2 ? "the kernel offers no such file: controller or feature missing" : undefined));
}

/** Write without O_CREAT: like the kernel, a cgroupfs-shaped test dir refuses files it does not have. */
export function writeValue(path: string, value: string | number): void {
  // An empty write never reaches the kernel; "\n" is how `echo "" >` resets a list file.
  const text = value === "" ? "\n" : String(value);
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_TRUNC);
  } catch (error) {
    throw toSyscallError("open", path, error);
  }
  try {
    writeSync(fd, text);
  } catch (error) {
    throw toSyscallError("write", path, error);
  } finally {
    closeSync(fd);
  }
}

export function readValue(path: string): string | null {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return null;
  }
}

/** A number, or null for "max", "" and a missing file. */
export function readNumber(path: string): number | null {
  const text = readValue(path);
  if (text === null || text === "max" || text === "") return null;
  const n = Number(text.split(/\s+/)[0]);
  return Number.isFinite(n) ? n : null;
}

/** Parse "key value" lines (memory.stat, memory.events, cpu.stat, memory.oom_control). */
export function readKeyed(path: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (readValue(path) ?? "").split("\n")) {
    const [key, value] = line.split(/\s+/);
    if (key && value !== undefined) out[key] = Number(value);
  }
  return out;
}

export function readPids(path: string): number[] {
  return (readValue(path) ?? "").split("\n").filter(Boolean).map(Number);
}

export function childDirs(path: string): string[] {
  try {
    return readdirSync(path, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

function isCgroupfs(path: string): boolean {
  try {
    const type = Number(statfsSync(path).type);
    return type === CGROUP_SUPER_MAGIC || type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

/** rmdir once; cgroupfs drops its own files with the dir, a cgroupfs-shaped test dir needs them removed first. */
function rmdirCgroup(path: string): void {
  try {
    rmdirSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOTEMPTY" || isCgroupfs(path) || childDirs(path).length > 0) throw error;
    for (const file of readdirSync(path)) unlinkSync(join(path, file));
    rmdirSync(path);
  }
}

/** rmdir, retrying while the kernel still reports the cgroup busy (tasks just exited). */
export async function removeCgroupDir(path: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirCgroup(path);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY" || attempt >= 100) throw toSyscallError("rmdir", path, error);
      await sleep(20);
    }
  }
}

export async function waitEmpty(procsFile: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (readPids(procsFile).length > 0 && Date.now() < deadline) await sleep(10);
}

/** Poll until `done` says so, for at most `timeoutMs` (freezer states settle asynchronously). */
export async function waitUntil(done: () => boolean, timeoutMs = 1000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(5);
}

export function killAll(procsFile: string): void {
  for (const pid of readPids(procsFile)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Remove a cgroup that another container may be about to use: losing that race is fine. */
export async function tryRemove(path: string): Promise<void> {
  try {
    rmdirCgroup(path);
  } catch {
    // busy, not empty, or gone
  }
}

/**
 * One planned write. `previous` is what restores the old state (defaults to the file's content);
 * `check` runs just before the write and may refuse it (v2 memory below usage).
 */
export interface FileWrite {
  path: string;
  value: string | number;
  previous?: string;
  check?: () => void;
}

/** Write every file in order; if one is refused, put back what was already written, then throw. */
export function writeAllOrRestore(writes: FileWrite[]): void {
  const done: { path: string; old: string }[] = [];
  try {
    for (const write of writes) {
      const old = write.previous ?? readValue(write.path);
      write.check?.();
      writeValue(write.path, write.value);
      if (old !== null) done.push({ path: write.path, old });
    }
  } catch (error) {
    for (const { path, old } of done.reverse()) {
      try {
        writeValue(path, old);
      } catch {
        // best effort: the original failure is the one to report
      }
    }
    throw error;
  }
}
