/**
 * Goal 3, scale: runs bench/scale-worker.ts in a child process (clean RSS,
 * GC exposed) and turns its result into figures.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { figure, type BenchFigure } from "./stats.js";
import type { ScaleWorkerOptions, ScaleWorkerResult } from "./scale-worker.js";

const GROUP = "scale";
export const RSS_PER_SESSION_GOAL_MB = 3;
/** "Flat": RSS may grow this much from the second tenth of the executions to the end. */
export const RSS_GROWTH_GOAL_MB = 5;
export const SCALE_FULL: ScaleWorkerOptions = { sessions: 1000, executions: 10_000 };
export const SCALE_QUICK: ScaleWorkerOptions = { sessions: 20, executions: 200 };

/** Runs the worker script (bench/scale-worker.ts under `cwd`) and parses its last line. */
export function runScaleWorkerProcess(
  options: ScaleWorkerOptions,
  cwd: string = process.cwd()
): Promise<ScaleWorkerResult> {
  const script = join(cwd, "bench", "scale-worker.ts");
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--no-node-snapshot", "--expose-gc", "--import", "tsx", script, JSON.stringify(options)],
      { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } }
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const last = [...stdout.trim().split("\n")].reverse().find((line) => line.startsWith("{")) ?? "";
      if (code !== 0 || !last.startsWith("{")) {
        reject(
          new Error(`scale worker exited with ${String(code)}: ${stderr.slice(-2000)} ${stdout.slice(-500)}`)
        );
        return;
      }
      resolve(JSON.parse(last) as ScaleWorkerResult);
    });
  });
}

export function scaleFigures(result: ScaleWorkerResult): BenchFigure[] {
  const sessions = `${result.sessions} concurrent threads, one step each`;
  const react = "createReactAgent, same load";
  const during = result.rssDuringExecutionsMb;
  const growth = (during.at(-1) ?? 0) - (during[1] ?? during[0] ?? 0);
  return [
    figure({
      group: GROUP,
      name: `${sessions}: throughput`,
      value: result.codeact.throughputPerS,
      unit: "per s",
      baseline: { name: react, value: result.react.throughputPerS },
    }),
    figure({
      group: GROUP,
      name: `${sessions}: p50 latency`,
      value: result.codeact.p50Ms,
      unit: "ms",
      baseline: { name: react, value: result.react.p50Ms },
    }),
    figure({
      group: GROUP,
      name: `${sessions}: p99 latency`,
      value: result.codeact.p99Ms,
      unit: "ms",
      baseline: { name: react, value: result.react.p99Ms },
    }),
    figure({
      group: GROUP,
      name: "RSS per live session",
      value: result.rssPerSessionMb,
      unit: "MB",
      goal: { of: "value", max: RSS_PER_SESSION_GOAL_MB },
    }),
    figure({
      group: GROUP,
      name: `RSS growth over ${result.executions} executions (2nd tenth → end)`,
      value: growth,
      unit: "MB",
      goal: { of: "value", max: RSS_GROWTH_GOAL_MB },
    }),
    figure({
      group: GROUP,
      name: "cell with a tool call, 10 long-lived sessions (median)",
      value: result.executionMedianMs,
      unit: "ms",
    }),
  ];
}

export async function runScale(options: ScaleWorkerOptions): Promise<BenchFigure[]> {
  return scaleFigures(await runScaleWorkerProcess(options));
}
