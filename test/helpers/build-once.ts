import { execFileSync } from "node:child_process";
import { join } from "node:path";

/** Linux and e2e tests run the built CLI and native helper: build them from the current sources first. */
export default function setup(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, "../../scripts/build.mjs")], { stdio: "inherit" });
}
