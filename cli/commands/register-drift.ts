import { Option, type Command } from "commander";
import type { Runner } from "../runner.js";
import { parseDuration } from "../duration.js";
import { applyCommand } from "./apply.js";
import { driftCommand } from "./drift-command.js";
import { planCommand } from "./plan.js";
import { refreshCommand } from "./refresh-command.js";
import { applyRefreshCommand, planRefreshCommand } from "./refresh-apply.js";
import { reconcileCommand } from "../reconcile/reconcile-command.js";

type Globals = () => { state?: string; stack?: string };

/** `cinfra drift`, `cinfra refresh`, `cinfra reconcile` (the drift and GitOps commands), and `--refresh` on plan/apply. */
export function registerDriftCommands(program: Command, run: Runner, globals: Globals): void {
  program.command("drift").argument("[stack.ts]", "stack program (default: every stack in state and every cinfra object on the host)")
    .description("compare program, state and what really runs; exit 0 in sync, 2 drift found, 1 error")
    .option("--json", "machine-readable report (schema: docs/drift-json.md)")
    .option("--markdown", "a summary for a PR comment or chat message")
    .action((file: string | undefined, opts) => run(driftCommand(file, { ...globals(), ...opts })));

  program.command("refresh").argument("[stack.ts]", "stack program (names the stack)")
    .description("accept what really runs into state, showing what is accepted (the host is not changed)")
    .option("--dry-run", "show what would be accepted, write nothing (same as plan --refresh-only)")
    .option("--json", "machine-readable output")
    .option("--lock-timeout <duration>", "wait this long for another apply's lock instead of failing at once", parseDuration)
    .action((file: string | undefined, opts) => run(refreshCommand(file, { ...globals(), ...opts })));

  program.command("reconcile")
    .description("GitOps loop on this host: pull a repository, plan, apply new commits and heal drift")
    .requiredOption("--repo <path-or-url>", "git repository holding the stack program")
    .option("--branch <name>", "branch to follow", "main")
    .requiredOption("--path <file>", "stack program inside the repository, e.g. stacks/prod.ts")
    .option("--interval <duration>", "time between ticks (e.g. 30s)", parseDuration, 30_000)
    .option("--apply", "apply new commits")
    .option("--report-only", "only report (the default)")
    .option("--self-heal", "put drifted resources back (apply --refresh)")
    .option("--listen <host:port>", "status and metrics address, loopback only (port 0: any free port)", "127.0.0.1:9464")
    .addOption(new Option("--log-format <format>", "log lines as text or JSON").choices(["text", "json"]).default("text"))
    .option("--workdir <dir>", "where the repository is checked out (default: under the runtime's lib root)")
    .option("--max-ticks <n>", "stop after this many ticks (default: run until SIGTERM)", Number)
    .action((opts) => run(reconcileCommand({ ...globals(), ...opts })));

  // The refresh variants of plan and apply belong with drift: they extend those two commands here.
  const command = (name: string) => program.commands.find((c) => c.name() === name);
  command("apply")?.option("--refresh", "plan from what really runs and put the program back")
    .action((file: string, opts: { refresh?: boolean }) => {
      const flags = { ...globals(), ...opts };
      run(opts.refresh ? applyRefreshCommand(file, flags) : applyCommand(file, flags));
    });
  command("plan")?.option("--refresh", "plan from what really runs (what apply --refresh would do)")
    .option("--refresh-only", "show what `cinfra refresh` would accept into state")
    .action((file: string, opts: { refresh?: boolean; refreshOnly?: boolean }) => {
      const flags = { ...globals(), ...opts };
      if (opts.refreshOnly) run(refreshCommand(file, { ...flags, dryRun: true }));
      else run(opts.refresh ? planRefreshCommand(file, flags) : planCommand(file, flags));
    });
}
