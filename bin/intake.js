#!/usr/bin/env node
// The command line. It runs the compiled code in dist/ (built by `npm ci`/`npm install` via `prepare`).
import { runCli } from '../dist/cli/main.js';

const progress = process.stderr.isTTY
  ? (line) => process.stderr.write(`\r\x1b[2K${line}`)
  : undefined;
const code = await runCli(process.argv.slice(2), {
  log: (s) => console.log(s),
  error: (s) => console.error(s),
  progress,
});
if (code !== 0) process.exitCode = code;
