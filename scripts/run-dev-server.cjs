// Runs `langgraphjs dev` (the arguments) in its own process group, so a
// terminal's Ctrl-C reaches only this process, which then stops the server
// the way that keeps its threads (see dev-server-stop.cjs). A second Ctrl-C
// says what it waits for; a third kills the server at once.
"use strict";
const { spawn } = require("node:child_process");
const { killDevServer, stopDevServer } = require("./dev-server-stop.cjs");

const [command, ...args] = process.argv.slice(2);
let child;
let signals = 0;
const onSignal = () => {
  signals += 1;
  if (child?.pid === undefined) process.exit(130);
  if (signals === 1) stopDevServer(child.pid).catch(() => undefined);
  else if (signals === 2) console.error("Waiting for the server to write its threads to disk; Ctrl-C again to kill it now.");
  else killDevServer(child.pid);
};
// Before the spawn: a Ctrl-C in between would end this process and orphan the server.
for (const name of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(name, onSignal);
child = spawn(command, args, { detached: true, stdio: "inherit" });
child.on("error", (error) => {
  console.error(`could not start ${command}: ${error.message}`);
  process.exit(1);
});
child.on("exit", (code) => {
  // Whatever the CLI left behind (its group) goes with it. A stop the user asked for is a success.
  const done = () => process.exit(signals > 0 ? 0 : (code ?? 1));
  if (child.pid === undefined) done();
  else stopDevServer(child.pid, { timeoutMs: 5_000 }).finally(done);
});
