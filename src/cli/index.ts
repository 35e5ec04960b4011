#!/usr/bin/env node
/**
 * The `codeact` bin entry. Makes sure Node runs with `--no-node-snapshot`
 * (re-executing itself otherwise) before any module that loads isolated-vm
 * is imported, then runs the program and exits with its code.
 *
 * @module
 */
import { hasNoNodeSnapshot, relaunchWithNoNodeSnapshot } from "./node-flags.js";

function flushAndExit(code: number): void {
  // Let buffered output reach a pipe before exiting.
  process.stdout.write("", () => {
    process.stderr.write("", () => process.exit(code));
  });
}

if (hasNoNodeSnapshot(process.execArgv, process.env["NODE_OPTIONS"])) {
  // Imported lazily: main.js pulls in the agent and the executors.
  import("./main.js")
    .then(({ main }) => main(process.argv.slice(2)))
    .then(flushAndExit, (error: unknown) => {
      process.stderr.write(`codeact: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      flushAndExit(1);
    });
} else {
  relaunchWithNoNodeSnapshot().then(flushAndExit, () => flushAndExit(1));
}
