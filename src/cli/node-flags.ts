/**
 * isolated-vm needs Node started with `--no-node-snapshot` (Node >= 20). A
 * bin script cannot pass Node flags through its shebang portably, so the
 * entry point re-executes itself with the flag when it is missing.
 *
 * Loads nothing heavy: it runs before the agent's modules are imported.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";

/** The Node flag isolated-vm requires. */
export const NO_NODE_SNAPSHOT_FLAG = "--no-node-snapshot";

/** Signals passed on to the re-executed child. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Whether this process already runs with `--no-node-snapshot`. */
export function hasNoNodeSnapshot(
  execArgv: readonly string[],
  nodeOptions: string | undefined
): boolean {
  return (
    execArgv.includes(NO_NODE_SNAPSHOT_FLAG) ||
    (nodeOptions ?? "").split(/\s+/).includes(NO_NODE_SNAPSHOT_FLAG)
  );
}

/**
 * Runs this same script again in a child Node with `--no-node-snapshot`
 * added to the current Node flags: same arguments, inherited stdio, signals
 * forwarded. Resolves with the child's exit code; when the child was killed
 * by a signal, resolves with 128 + the signal's number, as shells report it.
 */
export function relaunchWithNoNodeSnapshot(): Promise<number> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, NO_NODE_SNAPSHOT_FLAG, ...process.argv.slice(1)],
    { stdio: "inherit" }
  );
  // A terminal's Ctrl-C reaches the whole process group, the child included;
  // the child tells a repeat apart from this forwarded copy (see main.ts).
  const forward = (signal: NodeJS.Signals): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  return new Promise<number>((resolve) => {
    const done = (code: number): void => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
      resolve(code);
    };
    child.once("error", (error) => {
      process.stderr.write(`codeact: could not restart Node with ${NO_NODE_SNAPSHOT_FLAG}: ${error.message}\n`);
      done(1);
    });
    child.once("exit", (code, signal) => {
      if (code !== null) done(code);
      else done(128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });
}
