/**
 * The repository a reconcile loop follows, through the git CLI: a private clone in `dir`, brought
 * to the branch's head on each sync (fetch, then a forced detached checkout of what was fetched).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { CinfraError } from "../../core/errors.js";

export interface SyncResult {
  commit: string;
  subject: string;
  /** The head moved since the previous sync (always true on the first). */
  moved: boolean;
}

const GIT_TIMEOUT_MS = 120_000;

function git(args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };
    execFile("git", args, { cwd, env, timeout: GIT_TIMEOUT_MS, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout.trim());
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "git is not installed (apt-get install -y git)" : (stderr.trim() || error.message).split("\n").slice(-3).join(" ");
      reject(new CinfraError("GIT", `git ${args[0]}: ${why}`, { cause: error }));
    });
  });
}

export class GitSource {
  private last: string | null = null;

  constructor(readonly repo: string, readonly branch: string, readonly dir: string) {}

  async sync(): Promise<SyncResult> {
    if (!existsSync(join(this.dir, ".git"))) {
      mkdirSync(dirname(this.dir), { recursive: true });
      await git(["clone", "--quiet", "--no-tags", "--single-branch", "--branch", this.branch, "--", this.repo, this.dir]);
    } else {
      const origin = await git(["-C", this.dir, "remote", "get-url", "origin"]);
      if (origin !== this.repo) throw new CinfraError("GIT", `${this.dir} is a clone of ${origin}, not ${this.repo}: give another --workdir`);
      await git(["-C", this.dir, "fetch", "--quiet", "--no-tags", "--force", "origin", this.branch]);
      await git(["-C", this.dir, "checkout", "--quiet", "--force", "--detach", "FETCH_HEAD"]);
    }
    const [commit, subject] = (await git(["-C", this.dir, "log", "-1", "--format=%H%n%s"])).split("\n");
    const moved = commit !== this.last;
    this.last = commit;
    return { commit, subject: subject ?? "", moved };
  }
}
