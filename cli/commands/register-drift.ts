import type { Command } from "commander";
import type { Runner } from "../runner.js";

/** `cinfra drift`, `cinfra refresh`, `cinfra reconcile` (the drift and GitOps commands). */
export function registerDriftCommands(_program: Command, _run: Runner, _globals: () => { state?: string; stack?: string }): void {}
