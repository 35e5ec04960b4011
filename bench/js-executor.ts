/**
 * Goal 2, the JavaScript executor: a warm tiny cell, a fresh session, a tool
 * call round trip and a tool call inside a loop, each beside `node:vm`
 * running the same code in the same process (the floor; node:vm is a timing
 * baseline only, never a sandbox).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import vm from "node:vm";
import { DEFAULT_ISOLATION, IsolatedVmExecutor, type IsolationMode } from "../src/executors/isolated-vm/index.js";
import type { HostFunction } from "../src/executors/types.js";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { createToolFunctions } from "../src/tools/tool-functions.js";
import { figure, median, sample, type BenchFigure } from "./stats.js";

const GROUP = "JavaScript executor";
export const WARM_CELL_GOAL_MS = 0.5;
export const FRESH_SESSION_GOAL_MS = 3;
/** Per LangChain tool call from code, with nothing listening. */
const TOOL_CALL_GOAL_IN_PROCESS_MS = 0.1;
const TOOL_CALL_GOAL_PROCESS_MS = 0.25;
/** A graph builds its executor well before the first cell: this long, here. */
const FIRST_CELL_DELAY_MS = 3_000;
const FIRST_CELL_LATER_RUNS = 3;
/** Between new sessions in the "apart" figure: about the shortest model call. */
const FRESH_SESSION_GAP_MS = 20;

export interface JsExecutorOptions {
  warmupRuns: number;
  runs: number;
  freshSessionRuns: number;
  loopCalls: number;
  loopRuns: number;
}

export const JS_EXECUTOR_FULL: JsExecutorOptions = {
  warmupRuns: 50,
  runs: 300,
  freshSessionRuns: 60,
  loopCalls: 1_000,
  loopRuns: 15,
};
export const JS_EXECUTOR_QUICK: JsExecutorOptions = {
  warmupRuns: 5,
  runs: 20,
  freshSessionRuns: 5,
  loopCalls: 50,
  loopRuns: 3,
};

/**
 * The executor figures for both isolation modes (the default, "process",
 * keeps the plain names), the floor of process isolation (a bare IPC round
 * trip), then the worker start.
 */
export async function runJsExecutor(options: JsExecutorOptions): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  for (const isolation of ["process", "in-process"] as const) {
    figures.push(...(await runOneMode(options, isolation)));
  }
  figures.push(await ipcRoundTrip(options));
  figures.push(...(await workerStart(options)));
  return figures;
}

/**
 * Process isolation: from `new IsolatedVmExecutor()` to the first cell's
 * result, with the executor constructed and immediately used (the worst
 * case), and with the first cell sent a moment later (a graph builds the
 * executor well before its first cell).
 */
async function workerStart(options: JsExecutorOptions): Promise<BenchFigure[]> {
  const runs = Math.max(3, Math.round(options.freshSessionRuns / 10));
  const firstCell = (delayMs: number) => async (): Promise<number> => {
    const executor = new IsolatedVmExecutor({ isolation: "process" });
    try {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const started = performance.now();
      await executor.execute({ code: "1+1", sessionId: "first" });
      return performance.now() - started;
    } finally {
      await executor.close();
    }
  };
  const immediate: number[] = [];
  const later: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    immediate.push(await firstCell(0)());
    if (index < FIRST_CELL_LATER_RUNS) later.push(await firstCell(FIRST_CELL_DELAY_MS)());
  }
  return [
    figure({
      group: GROUP,
      name: "process isolation: first cell right after new executor (worker start, median)",
      value: median(immediate),
      unit: "ms",
    }),
    figure({
      group: GROUP,
      name: `process isolation: first cell ${FIRST_CELL_DELAY_MS / 1000} s after new executor (median)`,
      value: median(later),
      unit: "ms",
    }),
  ];
}

/**
 * A child process that answers each message at once with a reply shaped like
 * the worker's result for `1+1`: Node IPC with JSON serialisation, as the
 * process isolation's worker uses.
 */
const ECHO_CHILD = `process.on("message", (m) => process.send({ type: "result", id: m.id, sessionCount: 1,
  result: { output: "", value: "2", outputs: [], variables: {}, unsavedVariables: [], durationMs: 0.25 } }));`;

/**
 * The floor of process isolation: one message to a child and its reply, with
 * the messages a warm tiny cell sends, measured in this run beside the
 * executor's figures (the same machine load).
 */
async function ipcRoundTrip(options: JsExecutorOptions): Promise<BenchFigure> {
  const child = spawn(process.execPath, ["-e", ECHO_CHILD], { stdio: ["ignore", "ignore", "inherit", "ipc"], serialization: "json" });
  try {
    let id = 0;
    const roundTrip = async (): Promise<void> => {
      const reply = once(child, "message");
      child.send({ type: "execute", id: ++id, sessionId: "warm", code: "1+1", tools: ["noop"] });
      await reply;
    };
    for (let index = 0; index < options.warmupRuns; index += 1) await roundTrip();
    const value = median(await sample(options.runs, roundTrip));
    return figure({
      group: GROUP,
      name: "bare IPC round trip (floor of process isolation: fork, JSON messages of a tiny cell; median)",
      value,
      unit: "ms",
    });
  } finally {
    child.kill();
  }
}

async function runOneMode(options: JsExecutorOptions, isolation: IsolationMode): Promise<BenchFigure[]> {
  const executor = new IsolatedVmExecutor({ isolation });
  const suffix = isolation === DEFAULT_ISOLATION ? "" : `, isolation: ${isolation}`;
  const noop: HostFunction = async () => 1;
  const tools = { noop };
  const loopCode = `let sum = 0; for (let i = 0; i < ${options.loopCalls}; i++) sum += await noop(); sum`;
  const floorContext = vm.createContext({ noop });
  const floor = (code: string): Promise<unknown> =>
    Promise.resolve(vm.runInContext(`(async () => { return (${code}) })()`, floorContext));
  const floorLoop = `(async () => { ${loopCode.replace(/ sum$/, " return sum")} })()`;
  const run = (code: string, sessionId = "warm") => executor.execute({ code, sessionId, tools });
  // The same loop over a LangChain tool, as the execute node passes it: with
  // nothing listening, and with a callback handler (as when tracing).
  const noopTool = tool(async () => 1, { name: "noop", description: "Returns 1.", schema: z.object({}) });
  const fastTools = createToolFunctions([noopTool], { language: "javascript", config: {} });
  const observedTools = createToolFunctions([noopTool], {
    language: "javascript",
    config: { callbacks: [new (class extends BaseCallbackHandler { name = "listener"; })()] },
  });
  const runWith = (functions: Record<string, HostFunction>) => () =>
    executor.execute({ code: loopCode, sessionId: "warm", tools: functions });

  try {
    const check = await run(loopCode);
    if (check.value !== String(options.loopCalls)) {
      throw new Error(`isolated-vm loop returned ${JSON.stringify(check)}`);
    }
    for (let index = 0; index < options.warmupRuns; index += 1) {
      await run("1+1");
      await run("await noop()");
      await floor("1+1");
      await floor("await noop()");
    }
    const tiny = median(await sample(options.runs, () => run("1+1")));
    const tinyFloor = median(await sample(options.runs, () => floor("1+1")));
    const fresh = median(
      await sample(options.freshSessionRuns, async (index) => {
        await run("1+1", `fresh-${index}`);
      })
    );
    // A new thread's first cell follows a model call: with a gap, the pool has refilled.
    const apartSamples: number[] = [];
    for (let index = 0; index < options.freshSessionRuns; index += 1) {
      await new Promise((resolve) => setTimeout(resolve, FRESH_SESSION_GAP_MS));
      const started = performance.now();
      await run("1+1", `apart-${index}`);
      apartSamples.push(performance.now() - started);
    }
    const freshApart = median(apartSamples);
    const freshFloor = median(
      await sample(options.freshSessionRuns, () =>
        Promise.resolve(vm.runInContext("(async () => 1+1)()", vm.createContext({ noop })))
      )
    );
    const oneTool = median(await sample(options.runs, () => run("await noop()")));
    const oneToolFloor = median(await sample(options.runs, () => floor("await noop()")));
    const loop = median(await sample(options.loopRuns, () => run(loopCode)));
    const loopFloor = median(
      await sample(options.loopRuns, () => Promise.resolve(vm.runInContext(floorLoop, floorContext)))
    );
    await runWith(fastTools)();
    await runWith(observedTools)();
    const toolLoopFast = median(await sample(options.loopRuns, runWith(fastTools)));
    const toolLoopInvoke = median(await sample(options.loopRuns, runWith(observedTools)));
    const baselineName = "node:vm, same code";
    return [
      figure({
        group: GROUP,
        name: `warm tiny cell \`1+1\` (median)${suffix}`,
        value: tiny,
        unit: "ms",
        baseline: { name: baselineName, value: tinyFloor },
        goal: { of: "value", max: WARM_CELL_GOAL_MS },
      }),
      figure({
        group: GROUP,
        name: `fresh session, first cell (median)${suffix}`,
        value: fresh,
        unit: "ms",
        baseline: { name: "node:vm, new context", value: freshFloor },
        goal: { of: "value", max: FRESH_SESSION_GOAL_MS },
      }),
      figure({
        group: GROUP,
        name: `fresh session, first cell, sessions ${FRESH_SESSION_GAP_MS} ms apart (median)${suffix}`,
        value: freshApart,
        unit: "ms",
        baseline: { name: "node:vm, new context", value: freshFloor },
        goal: { of: "value", max: FRESH_SESSION_GOAL_MS },
      }),
      figure({
        group: GROUP,
        name: `cell with one tool call (median)${suffix}`,
        value: oneTool,
        unit: "ms",
        baseline: { name: baselineName, value: oneToolFloor },
      }),
      figure({
        group: GROUP,
        name: `tool call round trip (cell minus tiny cell)${suffix}`,
        value: Math.max(0, oneTool - tiny),
        unit: "ms",
        baseline: { name: baselineName, value: Math.max(0, oneToolFloor - tinyFloor) },
      }),
      figure({
        group: GROUP,
        name: `tool call in a loop (per call, ${options.loopCalls} calls)${suffix}`,
        value: loop / options.loopCalls,
        unit: "ms",
        baseline: { name: baselineName, value: loopFloor / options.loopCalls },
      }),
      figure({
        group: GROUP,
        name: `LangChain tool (tool()) in a loop, nothing listening (per call)${suffix}`,
        value: toolLoopFast / options.loopCalls,
        unit: "ms",
        baseline: { name: "a plain host function, same loop", value: loop / options.loopCalls },
        goal: { of: "value", max: isolation === "in-process" ? TOOL_CALL_GOAL_IN_PROCESS_MS : TOOL_CALL_GOAL_PROCESS_MS },
      }),
      figure({
        group: GROUP,
        name: `LangChain tool in a loop, a callback handler listening (per call)${suffix}`,
        value: toolLoopInvoke / options.loopCalls,
        unit: "ms",
        baseline: { name: "nothing listening", value: toolLoopFast / options.loopCalls },
      }),
    ];
  } finally {
    await executor.close();
  }
}
