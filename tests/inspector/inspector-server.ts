/**
 * Starts the inspector the way users do (`scripts/inspector.sh`: install and
 * build when needed, then serve on 127.0.0.1), for the browser tests.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort, REPO_ROOT } from "../studio/dev-server.js";

const STARTUP_TIMEOUT_MS = 180_000;
const CHROMIUM_PATH = "/usr/bin/chromium";

export interface InspectorServer {
  url: string;
  log(): string;
  stop(): Promise<void>;
}

/** Installs Debian's Chromium when missing (scripts/install-browser.sh) and returns its path. */
export function ensureChromium(): string {
  if (!existsSync(CHROMIUM_PATH)) {
    execFileSync("bash", [join(REPO_ROOT, "scripts/install-browser.sh")], { stdio: "inherit" });
  }
  return CHROMIUM_PATH;
}

/** Flags that keep headless Chromium quiet on a closed network (PLATFORM.md). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function startInspector(apiUrl: string): Promise<InspectorServer> {
  const port = await freePort();
  const child = spawn("bash", [join(REPO_ROOT, "scripts/inspector.sh"), "--port", String(port), "--api-url", apiUrl], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start scripts/inspector.sh");
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      return;
    }
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`scripts/inspector.sh exited:\n${output}`);
    try {
      if ((await fetch(`${url}/inspector-config.json`)).ok) break;
    } catch {
      // Still installing or building.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the inspector did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  return { url, log: () => output, stop };
}
