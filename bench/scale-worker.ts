/**
 * The scale benchmark's child process (so its RSS is clean): `sessions`
 * concurrent threads each doing one CodeAct step (a fresh sandbox session,
 * one tool call), the same with createReactAgent as the baseline, then
 * `executions` cells through the executor to check memory stays flat.
 * Prints one JSON line ({@link ScaleWorkerResult}) on stdout.
 *
 *   NODE_OPTIONS=--no-node-snapshot node --expose-gc --import tsx bench/scale-worker.ts '{"sessions":1000,"executions":10000}'
 */
import { performance } from "node:perf_hooks";
import { HumanMessage } from "@langchain/core/messages";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { IsolatedVmExecutor } from "../src/executors/isolated-vm/index.js";
import { createCodeActAgent } from "../src/graph/create-codeact-graph.js";
import { createToolFunctions } from "../src/tools/tool-functions.js";
import { ScriptedChatModel } from "./scripted-chat-model.js";
import { median, percentile, settle } from "./stats.js";
import { CODEACT_SCRIPT, createAddTool, REACT_SCRIPT } from "./step-overhead.js";

export interface ScaleWorkerOptions {
  sessions: number;
  executions: number;
}

export interface ConcurrentRun {
  wallMs: number;
  throughputPerS: number;
  p50Ms: number;
  p99Ms: number;
}

/** What the worker prints. */
export interface ScaleWorkerResult {
  sessions: number;
  codeact: ConcurrentRun;
  react: ConcurrentRun;
  rssBaselineMb: number;
  rssLiveMb: number;
  rssPerSessionMb: number;
  executions: number;
  /** RSS after each tenth of the executions (after GC), first to last. */
  rssDuringExecutionsMb: number[];
  executionMedianMs: number;
}

const MB = 1024 * 1024;
const rssMb = (): number => process.memoryUsage().rss / MB;

/** What is under way, for the report when the event loop drains with work pending. */
let phase = "starting";

async function concurrently(count: number, step: (index: number) => Promise<unknown>): Promise<ConcurrentRun> {
  const latencies: number[] = [];
  const label = phase;
  const progress = setInterval(() => {
    phase = `${label}: ${latencies.length}/${count} done`;
  }, 100);
  progress.unref();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const begun = performance.now();
      await step(index);
      latencies.push(performance.now() - begun);
    })
  );
  const wallMs = performance.now() - started;
  clearInterval(progress);
  return {
    wallMs,
    throughputPerS: (count / wallMs) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

export async function runScaleWorker(options: ScaleWorkerOptions): Promise<ScaleWorkerResult> {
  const add = createAddTool();
  const executor = new IsolatedVmExecutor();
  const codeact = createCodeActAgent({ model: new ScriptedChatModel(CODEACT_SCRIPT), tools: [add], executor });
  const react = createReactAgent({ llm: new ScriptedChatModel(REACT_SCRIPT), tools: [add] });
  const input = () => ({ messages: [new HumanMessage("What is 1 + 2?")] });
  const thread = (prefix: string, index: number) => ({ configurable: { thread_id: `${prefix}-${index}` } });
  try {
    // Warm up code paths (and load modules) outside the measurement.
    for (let index = 0; index < 5; index += 1) {
      await codeact.invoke(input(), thread("warm", index));
      await react.invoke(input(), thread("warm", index));
    }
    await settle();
    const rssBaselineMb = rssMb();

    phase = "CodeAct steps";
    const codeactRun = await concurrently(options.sessions, (index) =>
      codeact.invoke(input(), thread("scale", index))
    );
    await settle();
    const rssLiveMb = rssMb();
    phase = "createReactAgent steps";
    const reactRun = await concurrently(options.sessions, (index) => react.invoke(input(), thread("react", index)));

    // Flat memory: many cells over a few long-lived sessions.
    const tools = createToolFunctions([add], { language: "javascript" });
    phase = "executions";
    const rssDuringExecutionsMb: number[] = [];
    const durations: number[] = [];
    const tenth = Math.max(1, Math.floor(options.executions / 10));
    for (let index = 0; index < options.executions; index += 1) {
      const begun = performance.now();
      const result = await executor.execute({
        code: `const r${index % 50} = await add({ a: ${index}, b: 1 }); [r${index % 50}, "x".repeat(1000)].length`,
        sessionId: `leak-${index % 10}`,
        tools,
      });
      durations.push(performance.now() - begun);
      if (result.error !== undefined && !/already been declared/.test(result.error.message)) {
        throw new Error(`cell failed: ${result.error.message}`);
      }
      if ((index + 1) % tenth === 0) {
        await settle();
        rssDuringExecutionsMb.push(rssMb());
      }
    }
    return {
      sessions: options.sessions,
      codeact: codeactRun,
      react: reactRun,
      rssBaselineMb,
      rssLiveMb,
      rssPerSessionMb: (rssLiveMb - rssBaselineMb) / options.sessions,
      executions: options.executions,
      rssDuringExecutionsMb,
      executionMedianMs: median(durations),
    };
  } finally {
    phase = "executor.close()";
    await executor.close();
  }
}

// Run as a script (the parent passes options as JSON); imported, it only exports.
if (process.argv[1]?.endsWith("scale-worker.ts")) {
  const options = JSON.parse(process.argv[2] ?? "{}") as Partial<ScaleWorkerOptions>;
  // A promise nobody will settle, with nothing left to wait on, ends Node
  // quietly with code 0: say so, and fail.
  process.on("beforeExit", () => {
    console.error(`scale worker: the event loop drained during ${phase} (a promise never settled)`);
    process.exit(2);
  });
  runScaleWorker({ sessions: options.sessions ?? 1000, executions: options.executions ?? 10_000 })
    .then((result) => {
      // Exit once the line is flushed: a pipe write is asynchronous.
      process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
