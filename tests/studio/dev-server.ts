/**
 * Starts the real LangGraph dev server (`langgraphjs dev` from studio/) for a
 * test, on a free loopback port, in its own process group so the whole tree
 * (CLI, tsx watcher, server, jupyter-server) is stopped together.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(__dirname, "../..");
const CLI = join(REPO_ROOT, "studio/node_modules/.bin/langgraphjs");
const STARTUP_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
const SCHEMA_TIMEOUT_MS = 150_000;

export interface DevServer {
  url: string;
  /** Everything the server printed, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once("exit", () => done()));
}

/**
 * The API server itself: the leaf of `langgraphjs dev` → `tsx watch` → server,
 * found in the process group through /proc (the tests run on Linux).
 */
function apiServerPid(group: number): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // After "(comm) ": state, ppid, pgrp.
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp !== group) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (command.includes("entrypoint.mjs") && !command.includes("tsx/dist/cli.mjs")) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Serves the graphs of the repository's langgraph.json (its state goes to
 * the git-ignored `.langgraph_api/` beside it).
 */
export async function startDevServer(env: Record<string, string>): Promise<DevServer> {
  const port = await freePort();
  const child = spawn(
    CLI,
    ["dev", "--config", join(REPO_ROOT, "langgraph.json"), "--host", "127.0.0.1", "--port", String(port), "--no-browser"],
    {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        LANGGRAPH_CLI_NO_ANALYTICS: "1",
        BROWSER: "none",
        NODE_OPTIONS: "--no-node-snapshot",
        // Extracting the config schema type-checks the graphs' sources: on a
        // busy 2-core machine it takes longer than the server's 30 s default.
        LANGGRAPH_SCHEMA_RESOLVE_TIMEOUT_MS: String(SCHEMA_TIMEOUT_MS),
        ...env,
      },
    }
  );
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-50_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start langgraphjs");

  const stop = async (): Promise<void> => {
    // The server writes its state to disk when it gets SIGTERM, but a second
    // SIGTERM kills it at once, and `tsx watch` answers its own second one with
    // SIGKILL: a signal to the whole group can cut the write short and lose
    // the threads. So the server alone first, and the rest once it is gone.
    const api = apiServerPid(pid);
    if (api !== undefined) {
      process.kill(api, "SIGTERM");
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (alive(api) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    }
    if (groupAlive(pid)) {
      process.kill(-pid, "SIGTERM");
      const deadline = Date.now() + STOP_TIMEOUT_MS;
      while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (groupAlive(pid)) process.kill(-pid, "SIGKILL");
    }
    await exited(child);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    // The CLI's file watcher outlives a crashed server: look for the crash.
    if (child.exitCode !== null || /triggerUncaughtException|\nError \[ERR_/.test(output)) {
      await stop();
      throw new Error(`langgraphjs dev failed to start:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/ok`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`langgraphjs dev did not answer /ok within ${STARTUP_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, log: () => output, stop };
}
