import { execFileSync } from "node:child_process";

/** Whether a command is on PATH (tests that need an oracle or a server say so instead of failing). */
export function has(tool: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
