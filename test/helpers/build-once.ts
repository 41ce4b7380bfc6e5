import { execFileSync } from "node:child_process";
import { join } from "node:path";

/**
 * Linux and e2e tests run the built CLI and native helper: build them from the current sources first.
 * A failed build is reported but does not stop the run: tests that need the build fail on their own,
 * and the kernel-level tests of each piece still run.
 */
export default function setup(): void {
  try {
    execFileSync(process.execPath, [join(import.meta.dirname, "../../scripts/build.mjs")], { stdio: "inherit" });
  } catch (error) {
    process.stderr.write(`build failed before linux tests: ${(error as Error).message}\n`);
  }
}
