/**
 * Starts the real LangGraph dev server for a test the way a user does
 * (`npm run studio`, i.e. scripts/studio.sh), on a free loopback port, in its
 * own process group; stops it with a terminal's Ctrl-C.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { stopDevServer } from "../../scripts/dev-server-stop.cjs";

export const REPO_ROOT = resolve(__dirname, "../..");
const STARTUP_TIMEOUT_MS = 120_000;
/** Longer than the launcher's own stop may take (15 s for the API process, 15 s for the rest). */
const STOP_TIMEOUT_MS = 40_000;
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

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The pid of `parent`'s first child, through /proc. */
function childPid(parent: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined; // No /proc: the launcher's own stop is all there is.
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent) return Number(entry);
    } catch {
      // Gone while we looked.
    }
  }
  return undefined;
}

/**
 * Serves the graphs of the repository's langgraph.json through `npm run
 * studio`'s script (its state goes to the git-ignored `.langgraph_api/`
 * beside it). The script runs in its own process group, as in a terminal;
 * `stop()` is that terminal's Ctrl-C.
 */
export async function startDevServer(env: Record<string, string>): Promise<DevServer> {
  const port = await freePort();
  const child = spawn("bash", [join(REPO_ROOT, "scripts/studio.sh")], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      STUDIO_PORT: String(port),
      STUDIO_HOST: "127.0.0.1",
      BROWSER: "none",
      NODE_OPTIONS: "",
      // Extracting the config schema type-checks the graphs' sources: on a
      // busy 2-core machine it takes longer than the server's 30 s default.
      LANGGRAPH_SCHEMA_RESOLVE_TIMEOUT_MS: String(SCHEMA_TIMEOUT_MS),
      ...env,
    },
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-50_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start langgraphjs");

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // The server tree, for the case the launcher does not stop it in time.
      const tree = childPid(pid);
      process.kill(-pid, "SIGINT");
      await Promise.race([exited(child), sleep(STOP_TIMEOUT_MS)]);
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(-pid, "SIGKILL");
        if (tree !== undefined) await stopDevServer(tree, { timeoutMs: 1_000 });
      }
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
