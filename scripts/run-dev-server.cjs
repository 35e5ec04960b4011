// Runs `langgraphjs dev` (the arguments) in its own process group, so a
// terminal's Ctrl-C reaches only this process, which then stops the server
// the way that keeps its threads (see dev-server-stop.cjs).
"use strict";
const { spawn } = require("node:child_process");
const { stopDevServer } = require("./dev-server-stop.cjs");

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { detached: true, stdio: "inherit" });
let stopping = false;
const stop = () => {
  if (stopping || child.pid === undefined) return;
  stopping = true;
  stopDevServer(child.pid).catch(() => undefined);
};
for (const name of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(name, stop);
child.on("error", (error) => {
  console.error(`could not start ${command}: ${error.message}`);
  process.exit(1);
});
child.on("exit", (code) => {
  // Whatever the CLI left behind (its group) goes with it.
  if (child.pid !== undefined) stopDevServer(child.pid, { timeoutMs: 5_000 }).finally(() => process.exit(code ?? (stopping ? 0 : 1)));
});
