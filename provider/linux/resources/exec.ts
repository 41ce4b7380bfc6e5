/** `cinfra exec`: the native helper joins the running container's cgroups and namespaces and runs a command there. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { RuntimeError } from "../../../core/errors.js";
import type { ExecOptions } from "../../../core/runtime.js";
import { shimPath } from "../native/locate.js";
import { readContainerStatus } from "../supervise/status.js";

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
  const flags = [...(options.interactive ? ["-i"] : []), ...(options.tty ? ["-t"] : [])];
  const child = spawn(shimPath(), ["exec", join(stateDir, "spec"), String(status.pid), ...flags, "--", ...args], {
    stdio: options.stdio === "inherit" ? "inherit" : [options.interactive ? "pipe" : "ignore", "pipe", "pipe"],
  });
  child.stdin?.end(options.input ?? "");
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr?.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
  const code = await new Promise<number>((resolve) => child.on("close", (c, signal) => resolve(c ?? (signal ? 128 : 1))));
  return { code, stdout, stderr };
}
