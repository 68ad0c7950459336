#!/usr/bin/env node
// The command line. It runs the compiled code in dist/ (built by `npm ci`/`npm install` via `prepare`).
import { runCli } from '../dist/cli/main.js';

const code = await runCli(process.argv.slice(2));
if (code !== 0) process.exitCode = code;
