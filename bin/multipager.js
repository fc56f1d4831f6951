#!/usr/bin/env node
// Thin launcher: the TypeScript sources are compiled to dist/ by `npm ci` (the prepare script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("multipager: not built yet; run `npm ci` (or `npm run build`) first\n");
  process.exit(153);
}
const { main, guardStandardStreams } = await import(entry.href);
// A closed pipe ends the output quietly; any other failure to write stdout is one line (cli/streams.ts).
guardStandardStreams();
process.exitCode = await main(process.argv.slice(2));
