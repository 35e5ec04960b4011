/**
 * A `codeact "…"` run's own overhead: the built CLI started as a fresh
 * process, as a user starts it, against a scripted OpenAI-compatible server
 * with a two-turn script (one code block, then the answer). The figure is the
 * run's wall time minus the time the server spent answering, measured inside
 * the server (request received to response sent); the baseline is Node
 * starting an empty script, the part of every run that is not ours.
 *
 * The CLI is built (scripts/build.mjs) into a temporary folder first, so the
 * figure is of the current source and the repository's dist/ is left alone.
 */
import { spawn } from "node:child_process";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { copyFile, mkdtemp, rm, symlink } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { startReplayServer } from "../tests/support/replay-server.js";
import { CLEARED_VARIABLES } from "../tests/support/cli-environment.js";
import { figure, median, type BenchFigure } from "./stats.js";

const GROUP = "CLI run";

export interface CliOverheadOptions {
  /** Measured runs of each side (after one unmeasured warm-up run). */
  runs: number;
}
export const CLI_OVERHEAD_FULL: CliOverheadOptions = { runs: 15 };
export const CLI_OVERHEAD_QUICK: CliOverheadOptions = { runs: 3 };

/** The run's goal: everything but the model call, in milliseconds. */
export const CLI_OVERHEAD_GOAL_MS = 300;

const TASK = "What is 6 times 7?";
const SCRIPT = ["I will compute it.\n```javascript\n6 * 7\n```", "6 times 7 is 42."];
const ANSWER = "6 times 7 is 42.";

/** One CLI run, its phases as the server saw them (milliseconds from the spawn). */
interface CliSample {
  wallMs: number;
  /** Time the server spent answering, request received to response sent, summed. */
  serverMs: number;
  firstRequestMs: number;
  secondRequestMs: number;
  lastResponseMs: number;
}

export async function runCliOverhead(quick: boolean): Promise<BenchFigure[]> {
  const build = await buildCli();
  try {
    return await measureCliOverhead(build.entry, quick ? CLI_OVERHEAD_QUICK : CLI_OVERHEAD_FULL);
  } finally {
    await build.remove();
  }
}

/** The figures for the CLI whose built entry is `entry` (a `dist/cli/index.js`). */
export async function measureCliOverhead(entry: string, options: CliOverheadOptions): Promise<BenchFigure[]> {
  const cliSamples: CliSample[] = [];
  const nodeSamples: number[] = [];
  // The first run of a new build has no compile cache yet (and writes it):
  // reported on its own. Its own temp directory keeps other builds' caches out.
  const tmp = await mkdtemp(join(tmpdir(), "codeact-cli-bench-tmp-"));
  let firstRun: CliSample | undefined;
  try {
    // one warm-up of each (file cache, compile cache), then alternate so drift hits both alike
    for (let run = -1; run < options.runs; run += 1) {
      const node = await timeProcess(["-e", ""]);
      const cli = await timeCliRun(entry, tmp);
      if (run >= 0) {
        nodeSamples.push(node);
        cliSamples.push(cli);
      } else {
        firstRun = cli;
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const baseline = { name: 'node -e "" (process start and exit)', value: median(nodeSamples) };
  const phase = (name: string, pick: (sample: CliSample) => number): BenchFigure =>
    figure({ group: GROUP, name, value: median(cliSamples.map(pick)), unit: "ms" });
  return [
    figure({
      group: GROUP,
      name: `codeact run overhead: wall time minus the model server's (two turns, one code step, median of ${options.runs})`,
      value: median(cliSamples.map((sample) => sample.wallMs - sample.serverMs)),
      unit: "ms",
      baseline,
      goal: { of: "value", max: CLI_OVERHEAD_GOAL_MS },
    }),
    figure({
      group: GROUP,
      name: "first run of a new build: overhead without the compile cache (it writes it; one run)",
      value: firstRun!.wallMs - firstRun!.serverMs,
      unit: "ms",
    }),
    phase("of which: start to the first model request", (sample) => sample.firstRequestMs),
    phase("of which: first reply to the second request (the code step)", (sample) => sample.secondRequestMs - sample.firstRequestMs),
    phase("of which: last reply to exit", (sample) => sample.wallMs - sample.lastResponseMs),
  ];
}

/**
 * Compiles src/ into a temporary folder that looks like an installed package
 * (its package.json, the repository's node_modules), returning the CLI's entry.
 */
async function buildCli(): Promise<{ entry: string; remove(): Promise<void> }> {
  // the bench runs from the repository root (npm run bench)
  const root = resolve(".");
  const folder = await mkdtemp(join(tmpdir(), "codeact-cli-bench-"));
  const remove = (): Promise<void> => rm(folder, { recursive: true, force: true });
  try {
    await copyFile(join(root, "package.json"), join(folder, "package.json"));
    await symlink(join(root, "node_modules"), join(folder, "node_modules"), "dir");
    // The package's own build: the library compiled, the bin bundled.
    const args = [join(root, "scripts", "build.mjs"), "--out-dir", join(folder, "dist")];
    const { code, output } = await runProcess(args, { cwd: root });
    if (code !== 0) throw new Error(`could not build the CLI (the build exited with ${code}):\n${output}`);
    return { entry: join(folder, "dist", "cli", "index.js"), remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** One CLI run against a fresh replay server, timed from the spawn. */
async function timeCliRun(entry: string, tmp: string): Promise<CliSample> {
  const server = await startReplayServer({ responses: SCRIPT });
  const port = Number(new URL(server.baseUrl).port);
  const requestStarts = new Map<IncomingMessage, number>();
  const requests: number[] = [];
  const responses: number[] = [];
  let serverMs = 0;
  // Node's own HTTP server hooks: when a request arrived and when its response was sent.
  const onRequest = (message: unknown): void => {
    const { request, socket } = message as { request: IncomingMessage; socket: { localPort?: number } };
    if (socket.localPort !== port) return;
    const now = performance.now();
    requestStarts.set(request, now);
    requests.push(now);
  };
  const onFinish = (message: unknown): void => {
    const { request } = message as { request: IncomingMessage; response: ServerResponse };
    const started = requestStarts.get(request);
    if (started === undefined) return;
    const now = performance.now();
    serverMs += now - started;
    responses.push(now);
  };
  subscribe("http.server.request.start", onRequest);
  subscribe("http.server.response.finish", onFinish);
  try {
    const started = performance.now();
    const { code, output, endedAt } = await runProcess([entry, "--base-url", server.baseUrl, TASK], { env: { ...cliEnvironment(), TMPDIR: tmp } });
    if (code !== 0 || !output.includes(ANSWER) || requests.length !== SCRIPT.length) {
      throw new Error(`the CLI run did not answer as scripted (exit ${code}, ${requests.length} model requests):\n${output}`);
    }
    return {
      wallMs: endedAt - started,
      serverMs,
      firstRequestMs: requests[0]! - started,
      secondRequestMs: requests[1]! - started,
      lastResponseMs: responses.at(-1)! - started,
    };
  } finally {
    unsubscribe("http.server.request.start", onRequest);
    unsubscribe("http.server.response.finish", onFinish);
    await server.close();
  }
}

/** Wall milliseconds of `node ...args`, spawn to exit. */
async function timeProcess(args: string[]): Promise<number> {
  const started = performance.now();
  const { code, endedAt } = await runProcess(args, { env: cliEnvironment() });
  if (code !== 0) throw new Error(`node ${args.join(" ")} exited with ${code}`);
  return endedAt - started;
}

function cliEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of CLEARED_VARIABLES) delete env[name];
  return env;
}

function runProcess(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv }
): Promise<{ code: number | null; output: string; endedAt: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.once("error", reject);
    // "exit", not "close": a grandchild holding the pipes open is not the CLI's time
    child.once("exit", (code) => {
      const endedAt = performance.now();
      child.once("close", () => resolvePromise({ code, output, endedAt }));
    });
  });
}
