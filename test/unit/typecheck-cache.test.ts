/** The stack type check: errors as file:line:col, and a clean result remembered until a source file changes. */
import { mkdtempSync, rmSync, statSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { typecheckStack } from "../../cli/loader/typecheck.js";

const dir = mkdtempSync(join(tmpdir(), "cinfra-typecheck-"));
process.env.CINFRA_CACHE_DIR = join(dir, "cache");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const program = (extra: string) => `import { Container, Image } from "cinfra";
import { command } from "./parts.js";
const image = new Image("busybox", { rootfs: "/" });
new Container("web", { image, command, network: "none" });
${extra}
`;

describe("stack type check", () => {
  it("reports each type error of the program's own files as file:line:col", async () => {
    const file = join(dir, "bad.ts");
    writeFileSync(join(dir, "parts.ts"), `export const command: string[] = ["sleep", "1"];\n`);
    writeFileSync(file, program(`new Container("db", { image, restart: "sometimes" });`));
    await expect(typecheckStack(file)).rejects.toThrow(new RegExp(`${file}:5:30: Type '"sometimes"' is not assignable`));
  }, 30_000);

  it("remembers a clean check until one of the program's files changes", async () => {
    const file = join(dir, "good.ts");
    writeFileSync(file, program(""));
    await typecheckStack(file);
    const [entry] = readdirSync(join(dir, "cache/typecheck"));
    const written = statSync(join(dir, "cache/typecheck", entry)).mtimeMs;
    await typecheckStack(file);
    expect(statSync(join(dir, "cache/typecheck", entry)).mtimeMs).toBe(written);
    writeFileSync(join(dir, "parts.ts"), `export const command: number = 1;\n`);
    await expect(typecheckStack(file)).rejects.toThrow(/good\.ts:4:31: Type 'number' is not assignable to type 'string\[\]'/);
  }, 30_000);
});
