/**
 * Goal 3, scale: runs bench/scale-worker.ts in a child process (clean RSS,
 * GC exposed), once per isolation mode, and turns each result into figures.
 * RSS figures count this child and, in `"process"` isolation, the worker
 * process that holds the isolates.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { figure, type BenchFigure } from "./stats.js";
import type { IsolationMode } from "../src/executors/isolated-vm/index.js";
import type { ScaleWorkerOptions, ScaleWorkerResult } from "./scale-worker.js";

const GROUP = "scale";
export const RSS_PER_SESSION_GOAL_MB = 3;
/** "Flat": RSS at the end may be at most this much above its lowest point from the second tenth on. */
export const RSS_GROWTH_GOAL_MB = 5;
/** Throughput of many live threads, as a share of createReactAgent's under the same load. */
export const WARM_THROUGHPUT_GOAL = 0.8;
export const SCALE_FULL: ScaleWorkerOptions = { sessions: 1000, executions: 10_000 };
export const SCALE_QUICK: ScaleWorkerOptions = { sessions: 20, executions: 200 };
/** Both modes, the default first: each gets its own child process. */
export const SCALE_ISOLATION_MODES: readonly IsolationMode[] = ["process", "in-process"];

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

/**
 * How far the last sample (RSS or heap, in MB) is above the lowest from the
 * second tenth on (the first tenth still fills pools and caches). Measured from the lowest
 * point, not from the second tenth: memory freed early on (say, from the
 * steps before) would otherwise offset a leak that grows after it.
 */
export function growthFromLowestMb(samplesMb: readonly number[]): number {
  const steady = samplesMb.length > 1 ? samplesMb.slice(1) : samplesMb;
  if (steady.length === 0) return Number.NaN;
  return steady[steady.length - 1]! - Math.min(...steady);
}

export function scaleFigures(result: ScaleWorkerResult): BenchFigure[] {
  const mode = `isolation: ${result.isolation}`;
  const sessions = `${result.sessions} concurrent threads, one step each (${mode})`;
  const react = "createReactAgent, same load";
  const growth = growthFromLowestMb(result.rssDuringExecutionsMb);
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
      name: `${result.sessions} concurrent threads, a second step each, sessions live (${mode}): throughput`,
      value: result.codeactWarm.throughputPerS,
      unit: "per s",
      baseline: { name: react, value: result.reactWarm.throughputPerS },
      goal: { of: "ratio", min: WARM_THROUGHPUT_GOAL },
    }),
    figure({
      group: GROUP,
      name: `RSS per live session, ${result.isolation === "process" ? "host + worker" : "host"} (${mode})`,
      value: result.rssPerSessionMb,
      unit: "MB",
      goal: { of: "value", max: RSS_PER_SESSION_GOAL_MB },
    }),
    figure({
      group: GROUP,
      name: `RSS growth over ${result.executions} executions, 1 in 10 in a new session (end − lowest from the 2nd tenth; ${mode})`,
      value: growth,
      unit: "MB",
      goal: { of: "value", max: RSS_GROWTH_GOAL_MB },
    }),
    figure({
      group: GROUP,
      name: `host JS heap growth over those executions, after GC (end − lowest from the 2nd tenth; ${mode})`,
      value: growthFromLowestMb(result.hostHeapDuringExecutionsMb),
      unit: "MB",
      goal: { of: "value", max: RSS_GROWTH_GOAL_MB },
    }),
    figure({
      group: GROUP,
      name: `cell with a tool call during those executions (median; ${mode})`,
      value: result.executionMedianMs,
      unit: "ms",
    }),
  ];
}

/** Runs the scale worker once per isolation mode (one after the other: they would compete for the cores). */
export async function runScale(
  options: ScaleWorkerOptions,
  modes: readonly IsolationMode[] = SCALE_ISOLATION_MODES
): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  for (const isolation of modes) {
    figures.push(...scaleFigures(await runScaleWorkerProcess({ ...options, isolation })));
  }
  return figures;
}
