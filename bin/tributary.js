#!/usr/bin/env node
// Entry point of the `tributary` command; the CLI itself is compiled from runtime/cli.
import { main } from '../dist/runtime/cli/main.js';

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`tributary: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
