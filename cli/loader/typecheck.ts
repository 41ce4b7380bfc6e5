/**
 * esbuild strips types without checking them, so a stack with a wrong prop type or a misspelled class
 * would run. This checks the program against cinfra's own SDK types (the TypeScript compiler, through
 * ts-morph's bundled copy) before it runs, and remembers a clean result keyed by a hash of the
 * program's own source files and cinfra's version, so planning an unchanged stack again costs a few
 * file reads, not a compiler start (~1-2 s).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LoadError } from "../../core/errors.js";

let enabled = true;
/** `--no-typecheck` turns it off for the process. */
export function setTypecheck(on: boolean): void {
  enabled = on;
}

/** cinfra's package root (the one holding core/sdk/index.ts) and version, from this file's place in it. */
function engineRoot(): { root: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "core/sdk/index.ts"))) {
    const up = dirname(dir);
    if (up === dir) throw new LoadError("TYPECHECK_SETUP", "cannot find cinfra's SDK types (core/sdk/index.ts) to check the stack against");
    dir = up;
  }
  return { root: dir, version: (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string }).version };
}

function cacheFile(stackFile: string): string {
  const base = process.env.CINFRA_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "cinfra");
  return join(base, "typecheck", `${createHash("sha256").update(stackFile).digest("hex").slice(0, 32)}.json`);
}

interface CacheEntry { key: string; files: string[] }

/** The SDK's declaration files join the key, so a development build with a changed SDK checks again. */
const SDK_FILES = ["core/sdk/index.ts", "core/sdk/types.ts", "core/sdk/resources.ts"];

function keyOf(version: string, files: readonly string[], root: string): string | null {
  const hash = createHash("sha256").update(`cinfra ${version}\n`);
  for (const f of [...SDK_FILES.map((sdk) => join(root, sdk)), ...files]) {
    try {
      hash.update(`${f}\n`).update(readFileSync(f)).update("\n");
    } catch {
      return null; // a file of the last clean check is gone: check again
    }
  }
  return hash.digest("hex");
}

/** Throws LoadError("STACK_TYPE") listing file:line:col: message for each type error in the program's own files. */
export async function typecheckStack(file: string): Promise<void> {
  if (!enabled) return;
  const { root, version } = engineRoot();
  const cache = cacheFile(file);
  try {
    const entry = JSON.parse(readFileSync(cache, "utf8")) as CacheEntry;
    if (entry.files.includes(file) && keyOf(version, entry.files, root) === entry.key) return;
  } catch {
    // no or unreadable cache entry: check
  }
  const { Project, ts } = await import("ts-morph"); // only a cache miss pays for loading the compiler
  const project = new Project({
    skipAddingFilesFromTsConfig: true,
    compilerOptions: {
      strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler, allowImportingTsExtensions: true, types: ["node"],
      typeRoots: [join(root, "node_modules/@types")], paths: { cinfra: [join(root, "core/sdk/index.ts")] },
    },
  });
  project.addSourceFileAtPath(file);
  project.resolveSourceFileDependencies();
  const program = project.getProgram().compilerObject;
  const own = (f: string) => !f.startsWith(`${root}/core/`) && !f.includes("/node_modules/") && !f.endsWith(".d.ts");
  const files = program.getSourceFiles().map((s) => resolve(s.fileName)).filter(own).sort();
  const errors = ts.getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error && (!d.file || own(resolve(d.file.fileName))))
    .map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n  ");
      if (!d.file || d.start === undefined) return text;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${resolve(d.file.fileName)}:${line + 1}:${character + 1}: ${text}`;
    });
  if (errors.length) {
    const where = file;
    throw new LoadError("STACK_TYPE", `${errors.join("\n")}\n${where}: ${errors.length} type error(s); nothing was changed (--no-typecheck skips this check)`);
  }
  const key = keyOf(version, files, root);
  if (!key) return;
  try {
    mkdirSync(dirname(cache), { recursive: true });
    writeFileSync(cache, JSON.stringify({ key, files } satisfies CacheEntry));
  } catch {
    // an unwritable cache only costs the next run a check
  }
}
