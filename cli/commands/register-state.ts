import { InvalidArgumentError, Option, type Command } from "commander";
import type { Runner } from "../runner.js";
import { parseDuration } from "../duration.js";
import { configGetCommand, configListCommand, configRmCommand, configSetCommand } from "./config-commands.js";
import { historyCommand } from "./history-command.js";
import { importContainerCommand } from "./import-container.js";
import {
  stateExportCommand, stateImportCommand, stateListCommand, stateMvCommand, stateRmCommand, stateShowCommand,
} from "./state-commands.js";

type Globals = () => { state?: string; stack?: string };

const lockTimeout = () => new Option("--lock-timeout <duration>", "wait this long for the stack's lock (e.g. 30s) instead of failing at once").argParser(parseDuration);
const keyFile = () => new Option("--secrets-key-file <path>", "key file for secrets (instead of CINFRA_PASSPHRASE)").env("CINFRA_SECRETS_KEY_FILE");

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number >= 1");
  return n;
}

/** `cinfra state …`, `cinfra history`, `cinfra config …`, `cinfra import …` (state and stack management). */
export function registerStateCommands(program: Command, run: Runner, globals: Globals): void {
  const state = program.command("state").description("look at and repair what state remembers (objects are not touched)");
  state.command("list").description("resources in state (all stacks, or --stack)")
    .option("--json", "machine-readable output")
    .action((opts) => run(stateListCommand({ ...globals(), ...opts })));
  state.command("show").argument("<name>", "resource name, e.g. web or container.web")
    .description("one resource's id, inputs and outputs (secrets as (sensitive))")
    .option("--json", "machine-readable output")
    .action((name: string, opts) => run(stateShowCommand(name, { ...globals(), ...opts })));
  state.command("rm").argument("<name>", "resource name")
    .description("forget a resource; the object keeps running, unmanaged (adopt it again with cinfra import)")
    .option("--force", "even when other resources depend on it")
    .addOption(lockTimeout())
    .action((name: string, opts) => run(stateRmCommand(name, { ...globals(), ...opts })));
  state.command("mv").argument("<old>", "current name").argument("<new>", "new name (same kind)")
    .description("rename a resource in state (references to it follow); the object is kept")
    .addOption(lockTimeout())
    .action((from: string, to: string, opts) => run(stateMvCommand(from, to, { ...globals(), ...opts })));
  state.command("export").description("print a stack's state as JSON (secrets stay encrypted): cinfra state export > f.json")
    .action(() => run(stateExportCommand(globals())));
  state.command("import").argument("[file]", "file written by state export (default: stdin)")
    .description("replace a stack's state with an export: cinfra state import < f.json")
    .option("--force", "even when the stack holds state of another lineage or a newer serial")
    .addOption(lockTimeout())
    .action((file: string | undefined, opts) => run(stateImportCommand(file, { ...globals(), ...opts })));

  program.command("history").description("every apply and destroy of the stack: who, when, plan summary, result")
    .option("--json", "machine-readable output")
    .option("--limit <n>", "only the last n entries", positiveInt)
    .action((opts) => run(historyCommand({ ...globals(), ...opts })));

  const config = program.command("config").description("per-stack values the program reads with config.require(...)");
  config.command("set").argument("<key>").argument("[value]", "the value (default: read from stdin)")
    .description("set a value (--secret: encrypted at rest, shown as (sensitive))")
    .option("--secret", "encrypt with CINFRA_PASSPHRASE or the secrets key file")
    .addOption(keyFile())
    .action((key: string, value: string | undefined, opts) => run(configSetCommand(key, value, { ...globals(), ...opts })));
  config.command("get").argument("<key>").description("print one value (a secret is decrypted)")
    .option("--json", "as a JSON string").addOption(keyFile())
    .action((key: string, opts) => run(configGetCommand(key, { ...globals(), ...opts })));
  config.command("list").description("the stack's config (secrets as (sensitive))")
    .option("--json", "machine-readable output").option("--show-secrets", "decrypt and show secret values").addOption(keyFile())
    .action((opts) => run(configListCommand({ ...globals(), ...opts })));
  config.command("rm").argument("<key>").description("remove a value")
    .action((key: string) => run(configRmCommand(key, globals())));

  const imports = program.command("import").description("adopt an object that exists on this host into state");
  imports.command("container").argument("<name>", "resource name to manage it under")
    .requiredOption("--id <id>", "the container's runtime id (its directory under <libRoot>/containers)")
    .option("--write <stack.ts>", "add the declaration to this program (ts-morph) instead of only printing it")
    .addOption(lockTimeout())
    .description("adopt an unmanaged container; prints the declaration that makes the next plan a no-op")
    .action((name: string, opts) => run(importContainerCommand(name, { ...globals(), ...opts })));
}
