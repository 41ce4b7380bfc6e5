/** Small synchronous helpers over cgroupfs files; every failed write becomes a SyscallError naming the file. */
import { readFileSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { SyscallError } from "../../../core/errors.js";

const ERRNO: Record<string, number> = { EBUSY: 16, EINVAL: 22, ENOENT: 2, EACCES: 13, EPERM: 1, ENOSPC: 28, EEXIST: 17, ENOTEMPTY: 39 };

export function toSyscallError(call: string, path: string, error: unknown): SyscallError {
  const code = (error as NodeJS.ErrnoException).code ?? "EIO";
  return new SyscallError(call, ERRNO[code] ?? 5, path);
}

export function writeValue(path: string, value: string | number): void {
  try {
    writeFileSync(path, String(value));
  } catch (error) {
    throw toSyscallError("write", path, error);
  }
}

export function readValue(path: string): string | null {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return null;
  }
}

export function readNumber(path: string): number | null {
  const text = readValue(path);
  if (text === null || text === "max" || text === "") return null;
  const n = Number(text.split(/\s+/)[0]);
  return Number.isFinite(n) ? n : null;
}

/** Parse "key value" lines (memory.stat, memory.events, cpu.stat). */
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

/** rmdir, retrying while the kernel still reports the cgroup busy (tasks just exited). */
export async function removeCgroupDir(path: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirSync(path);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY" || attempt >= 100) throw toSyscallError("rmdir", path, error);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export async function waitEmpty(procsFile: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (readPids(procsFile).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
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
    rmdirSync(path);
  } catch {
    // busy, not empty, or gone
  }
}

/** Write every file in order; if the kernel refuses one, put back what was already written, then throw. */
export function writeAllOrRestore(writes: { path: string; value: string | number }[]): void {
  const done: { path: string; old: string }[] = [];
  try {
    for (const { path, value } of writes) {
      const old = readValue(path);
      writeValue(path, value);
      if (old !== null) done.push({ path, old });
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
