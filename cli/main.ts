/** The `cinfra` command: parse arguments, call the command, turn errors into messages and exit codes. */
import { Command, InvalidArgumentError, Option } from "commander";
import { EXIT, formatError } from "./exit-codes.js";
import { setTypecheck } from "./loader/typecheck.js";
import { applyCommand, destroyCommand } from "./commands/apply.js";
import { logsCommand } from "./commands/logs.js";
import { planCommand } from "./commands/plan.js";
import { psCommand } from "./commands/ps.js";
import { execCommand } from "./commands/exec.js";
import { statsCommand } from "./commands/stats.js";
import { inspectCommand, topCommand } from "./commands/inspect.js";
import { copyCommand, exportCommand } from "./commands/copy.js";
import { commitCommand } from "./commands/commit.js";
import { registerDriftCommands } from "./commands/register-drift.js";
import { registerStateCommands } from "./commands/register-state.js";
import { registerImagesCommands } from "./commands/register-images.js";
import type { Runner } from "./runner.js";
import { parseDuration } from "./duration.js";

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number >= 1");
  return n;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function buildProgram(run: Runner): Command {
  const program = new Command("cinfra")
    .description("Declarative containers on cinfra's own Linux runtime")
    .version("0.1.0")
    .addOption(new Option("--state <path-or-url>", "state store: SQLite file or postgres:// URL").env("CINFRA_STATE"))
    .option("--stack <name>", "stack name (default: the program file's name)")
    .option("--no-typecheck", "run the stack program without checking its types against cinfra's SDK")
    .addOption(new Option("--secrets-key-file <path>", "key file for secret config (instead of CINFRA_PASSPHRASE)").env("CINFRA_SECRETS_KEY_FILE"))
    .showHelpAfterError();

  const globals = () => program.opts<{ state?: string; stack?: string; secretsKeyFile?: string }>();
  program.hook("preAction", () => setTypecheck(program.opts<{ typecheck?: boolean }>().typecheck !== false));

  program.command("plan").argument("<stack.ts>", "stack program")
    .description("show what apply would change")
    .option("--detailed-exitcode", "exit 2 when there are changes, 0 when none")
    .option("--replace <name>", "force replacement of a resource (repeatable)", collect)
    .option("--target <name>", "plan only this resource and its dependencies (repeatable)", collect)
    .option("--json", "machine-readable plan (schema: docs/plan-json.md)")
    .option("--out <file>", "save the exact plan for a later `cinfra apply <file>`")
    .action((file: string, opts) => run(planCommand(file, { ...globals(), ...opts })));

  program.command("apply").argument("<stack.ts|plan-file>", "stack program, or a plan saved with plan --out")
    .description("create, update and delete resources to match the program")
    .option("-y, --yes", "do not ask for confirmation")
    .option("--replace <name>", "force replacement of a resource (repeatable)", collect)
    .option("--target <name>", "apply only this resource and its dependencies (repeatable)", collect)
    .option("--parallelism <n>", "operations at a time", positiveInt, 10)
    .option("--lock-timeout <duration>", "wait this long for another apply's lock (e.g. 30s) instead of failing at once", parseDuration)
    .action((file: string, opts) => run(applyCommand(file, { ...globals(), ...opts })));

  program.command("destroy").argument("[stack.ts]", "stack program (names the stack)")
    .description("delete every resource of the stack")
    .option("-y, --yes", "do not ask for confirmation")
    .option("--parallelism <n>", "operations at a time", positiveInt, 10)
    .option("--lock-timeout <duration>", "wait this long for another apply's lock instead of failing at once", parseDuration)
    .action((file: string | undefined, opts) => run(destroyCommand(file, { ...globals(), ...opts })));

  program.command("ps").description("list managed containers with state, pid, ip and uptime")
    .option("--json", "machine-readable output")
    .action((opts) => run(psCommand({ ...globals(), ...opts })));

  program.command("logs").argument("<container>", "container name")
    .description("print a container's output")
    .option("-f, --follow", "keep printing new output")
    .option("--tail <n>", "only the last n lines", positiveInt)
    .action((name: string, opts) => run(logsCommand(name, { ...globals(), ...opts })));

  program.command("exec").argument("<container>", "container name").argument("<command...>", "command and arguments (after --)")
    .description("run a command inside a running container (its namespaces, cgroup, user, env)")
    .option("-i, --interactive", "pass stdin to the command (else it reads /dev/null)")
    .option("-t, --tty", "give the command a terminal")
    .action((name: string, command: string[], opts) => run(execCommand(name, command, { ...globals(), ...opts })));

  program.command("stats").argument("[container]", "container name (default: all)")
    .description("memory, CPU and pids usage from each container's cgroup, a sample every interval (Ctrl-C ends)")
    .option("--no-stream", "print one sample and exit")
    .option("--interval <seconds>", "time between samples (default 1)")
    .option("--json", "machine-readable output: one JSON array per sample and line")
    .action((name: string | undefined, opts) => run(statsCommand(name, { ...globals(), ...opts })));

  program.command("inspect").argument("<container>", "container name")
    .description("runtime details: state, overlay dirs, namespaces, cgroups, network (JSON)")
    .option("-f, --format <template>", "print a template instead, e.g. '{{.State.Pid}}'")
    .action((name: string, opts) => run(inspectCommand(name, { ...globals(), ...opts })));

  program.command("top").argument("<container>", "container name")
    .description("the container's processes, with host and container pids")
    .action((name: string) => run(topCommand(name, globals())));

  program.command("cp").argument("<src>", "host path or CONTAINER:/path").argument("<dst>", "host path or CONTAINER:/path")
    .description("copy files between a running container and the host")
    .action((src: string, dst: string) => run(copyCommand(src, dst, globals())));

  program.command("export").argument("<container>", "container name")
    .description("write the container's merged filesystem as a tar stream to stdout")
    .action((name: string) => run(exportCommand(name, globals())));

  program.command("commit").argument("<container>", "container name").argument("<image>", "name[:tag] for the new image")
    .description("store the container's changes as a new layer on its image (use it elsewhere with Image({ ref }))")
    .action((name: string, image: string) => run(commitCommand(name, image, globals())));

  registerDriftCommands(program, run, globals);
  registerStateCommands(program, run, globals);
  registerImagesCommands(program, run);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let pending: Promise<number> = Promise.resolve(EXIT.ok);
  const program = buildProgram((code) => { pending = code; });
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return await pending;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("commander.")) {
      return code === "commander.helpDisplayed" || code === "commander.version" ? EXIT.ok : EXIT.error;
    }
    process.stderr.write(`Error: ${formatError(error)}\n`);
    return EXIT.error;
  }
}
