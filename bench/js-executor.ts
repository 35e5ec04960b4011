/**
 * Goal 2, the JavaScript executor: a warm tiny cell, a fresh session, a tool
 * call round trip and a tool call inside a loop, each beside `node:vm`
 * running the same code in the same process (the floor; node:vm is a timing
 * baseline only, never a sandbox).
 */
import vm from "node:vm";
import { IsolatedVmExecutor } from "../src/executors/isolated-vm/index.js";
import type { HostFunction } from "../src/executors/types.js";
import { figure, median, sample, type BenchFigure } from "./stats.js";

const GROUP = "JavaScript executor";
export const WARM_CELL_GOAL_MS = 0.5;
export const FRESH_SESSION_GOAL_MS = 3;

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

export async function runJsExecutor(options: JsExecutorOptions): Promise<BenchFigure[]> {
  const executor = new IsolatedVmExecutor();
  const noop: HostFunction = async () => 1;
  const tools = { noop };
  const loopCode = `let sum = 0; for (let i = 0; i < ${options.loopCalls}; i++) sum += await noop(); sum`;
  const floorContext = vm.createContext({ noop });
  const floor = (code: string): Promise<unknown> =>
    Promise.resolve(vm.runInContext(`(async () => { return (${code}) })()`, floorContext));
  const floorLoop = `(async () => { ${loopCode.replace(/ sum$/, " return sum")} })()`;
  const run = (code: string, sessionId = "warm") => executor.execute({ code, sessionId, tools });

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
    const baselineName = "node:vm, same code";
    return [
      figure({
        group: GROUP,
        name: "warm tiny cell `1+1` (median)",
        value: tiny,
        unit: "ms",
        baseline: { name: baselineName, value: tinyFloor },
        goal: { of: "value", max: WARM_CELL_GOAL_MS },
      }),
      figure({
        group: GROUP,
        name: "fresh session, first cell (median)",
        value: fresh,
        unit: "ms",
        baseline: { name: "node:vm, new context", value: freshFloor },
        goal: { of: "value", max: FRESH_SESSION_GOAL_MS },
      }),
      figure({
        group: GROUP,
        name: "cell with one tool call (median)",
        value: oneTool,
        unit: "ms",
        baseline: { name: baselineName, value: oneToolFloor },
      }),
      figure({
        group: GROUP,
        name: "tool call round trip (cell minus tiny cell)",
        value: Math.max(0, oneTool - tiny),
        unit: "ms",
        baseline: { name: baselineName, value: Math.max(0, oneToolFloor - tinyFloor) },
      }),
      figure({
        group: GROUP,
        name: `tool call in a loop (per call, ${options.loopCalls} calls)`,
        value: loop / options.loopCalls,
        unit: "ms",
        baseline: { name: baselineName, value: loopFloor / options.loopCalls },
      }),
    ];
  } finally {
    await executor.close();
  }
}
