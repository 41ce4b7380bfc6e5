#!/usr/bin/env node
// The engine is bundled into dist/cli.mjs by `npm run build` (npm ci runs it through `prepare`).
import { main } from "../dist/cli.mjs";

process.exit(await main(process.argv));
