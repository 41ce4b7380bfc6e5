/** One apply per stack: a second one fails at once naming the holder, or waits with --lock-timeout; history records applies. */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../state/sqlite/sqlite-store.js";
import { cinfra, sandbox } from "../helpers/cli.js";

const box = sandbox();
const stack = join(box.dir, "locked.ts");
writeFileSync(stack, `import { Volume } from "cinfra";\nnew Volume("data");\n`);

afterAll(() => {
  cinfra(box, "destroy", stack, "--yes");
  rmSync(box.dir, { recursive: true, force: true });
});

describe("state locking", () => {
  it("refuses a second apply at once, naming holder, pid, host and start time", async () => {
    const holder = new SqliteStore(box.env.CINFRA_STATE!);
    const lock = await holder.lock("locked", "apply");
    const r = cinfra(box, "apply", stack, "--yes");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`stack "locked" is locked by`);
    expect(r.stderr).toContain(`pid ${process.pid}`);
    expect(r.stderr).toContain(lock.info.acquiredAt);
    await lock.release();
    await holder.close();
  });

  it("waits for the lock with --lock-timeout", async () => {
    const holder = new SqliteStore(box.env.CINFRA_STATE!);
    const lock = await holder.lock("locked", "apply");
    const child = spawn(process.execPath, [join(import.meta.dirname, "../../bin/cinfra.mjs"), "apply", stack, "--yes", "--lock-timeout", "10s"], { env: box.env });
    let out = "";
    child.stdout.on("data", (d) => { out += d; });
    await new Promise((r) => setTimeout(r, 700));
    await lock.release();
    const code = await new Promise((r) => child.on("exit", r));
    expect(code).toBe(0);
    expect(out).toContain("Apply complete!");
    const history = await holder.history("locked");
    expect(history.at(-1)).toMatchObject({ command: "apply", result: "ok", summary: { create: 1 } });
    await holder.close();
  });
});
