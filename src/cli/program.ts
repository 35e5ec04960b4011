/**
 * The `codeact` program as a process: runs {@link main} and exits with its
 * code. Node needs no special flag here: the sandbox runs in a worker
 * process that is started with the flag isolated-vm needs. Installed, this
 * is the entry of the bundle the bin (`index.ts`) loads.
 *
 * @module
 */
import { main } from "./main.js";

function flushAndExit(code: number): void {
  // Let buffered output reach a pipe before exiting.
  process.stdout.write("", () => {
    process.stderr.write("", () => process.exit(code));
  });
}

main(process.argv.slice(2)).then(flushAndExit, (error: unknown) => {
  process.stderr.write(`codeact: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  flushAndExit(1);
});
