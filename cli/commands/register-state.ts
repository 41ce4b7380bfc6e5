import type { Command } from "commander";
import type { Runner } from "../runner.js";

/** `cinfra state …`, `cinfra history`, `cinfra config …`, `cinfra import …` (state and stack management). */
export function registerStateCommands(_program: Command, _run: Runner, _globals: () => { state?: string; stack?: string }): void {}
