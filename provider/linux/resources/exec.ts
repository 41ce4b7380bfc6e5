/** `cinfra exec`: the native helper joins the running container's cgroups and namespaces and runs a command there. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import { shimPath } from "../native/locate.js";
import { readContainerStatus } from "../supervise/status.js";

export interface ExecOptions {
  /** Where the command's stdio goes: the caller's terminal ("inherit") or pipes to capture. */
  stdio: "inherit" | "pipe";
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function execInContainer(stateDir: string, args: string[], options: ExecOptions): Promise<ExecResult> {
  const status = readContainerStatus(stateDir);
  if (status.state !== "running" || status.pid === null) {
    throw new RuntimeError("NOT_RUNNING", `the container is ${status.state}: exec needs a running container`);
  }
  const child = spawn(shimPath(), ["exec", join(stateDir, "spec"), String(status.pid), "--", ...args], {
    stdio: options.stdio === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr?.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
  const code = await new Promise<number>((resolve) => child.on("close", (c, signal) => resolve(c ?? (signal ? 128 : 1))));
  return { code, stdout, stderr };
}
