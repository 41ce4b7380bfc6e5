#!/usr/bin/env node
// The engine is bundled into dist/cli.mjs by `npm run build` (npm ci runs it through `prepare`).
import { main } from "../dist/cli.mjs";

const code = await main(process.argv);
// Exit once stdout has drained: a piped plan --json or state export can exceed the pipe buffer.
process.stdout.write("", () => process.exit(code));
