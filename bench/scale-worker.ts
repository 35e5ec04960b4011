/**
 * The scale benchmark's child process (so its RSS is clean): `sessions`
 * concurrent threads each doing one CodeAct step (a fresh sandbox session,
 * one tool call), the same with createReactAgent as the baseline, then
 * `executions` cells through the executor to check memory stays flat.
 * Prints one JSON line ({@link ScaleWorkerResult}) on stdout.
 *
 *   NODE_OPTIONS=--no-node-snapshot node --expose-gc --import tsx bench/scale-worker.ts '{"sessions":1000,"executions":10000}'
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { IsolatedVmExecutor, type IsolationMode } from "../src/executors/isolated-vm/index.js";
import { createCodeActAgent } from "../src/graph/create-codeact-graph.js";
import { createToolFunctions } from "../src/tools/tool-functions.js";
import { ScriptedChatModel } from "./scripted-chat-model.js";
import { median, percentile, settle } from "./stats.js";
import { CODEACT_SCRIPT, createAddTool, REACT_SCRIPT } from "./step-overhead.js";

export interface ScaleWorkerOptions {
  sessions: number;
  executions: number;
  /** Where the executor runs its isolates. @defaultValue the executor's default (`"process"`) */
  isolation?: IsolationMode;
}

/** Resident memory of the benchmark: this process, plus the isolates' worker process in `"process"` isolation. */
export interface RssSample {
  hostMb: number;
  /** 0 in `"in-process"` isolation. */
  workerMb: number;
  totalMb: number;
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
  isolation: IsolationMode;
  /** Live isolates the executor reported after the concurrent steps (pooled spares not counted). */
  liveSessions: number;
  codeact: ConcurrentRun;
  /** createReactAgent under the same load: the mean of the runs before and after CodeAct's. */
  react: ConcurrentRun;
  reactRuns: ConcurrentRun[];
  /** A second step on each of those threads (its sandbox session live), concurrently. */
  codeactWarm: ConcurrentRun;
  /** createReactAgent's second step on its threads, same load: the mean of the runs before and after CodeAct's. */
  reactWarm: ConcurrentRun;
  /** Host + worker RSS before the concurrent steps (after warm-up). */
  rssBaseline: RssSample;
  /** After the first createReactAgent run (its threads hold no sandbox). */
  rssAfterReact: RssSample;
  /** Host + worker RSS with every session of the concurrent steps alive. */
  rssLive: RssSample;
  /** (live - baseline) / sessions, host + worker. */
  rssPerSessionMb: number;
  executions: number;
  /**
   * Host + worker RSS after each tenth of the executions (after GC of the
   * host), first to last; measured on a second executor (the first is closed).
   */
  rssDuringExecutionsMb: number[];
  /** This process's JS heap after GC at each tenth: our host-side objects (isolate heaps are apart). */
  hostHeapDuringExecutionsMb: number[];
  executionMedianMs: number;
}

const MB = 1024 * 1024;

/** VmRSS of another process from /proc (Linux), in MB; 0 when it cannot be read. */
export function processRssMb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * This process's RSS plus, in `"process"` isolation, the worker's: the
 * isolates live there, so leaving it out would hide nearly all the memory.
 */
export function rssSample(executor: IsolatedVmExecutor): RssSample {
  const hostMb = process.memoryUsage().rss / MB;
  const pid = executor.workerPid;
  const workerMb = pid === undefined ? 0 : processRssMb(pid);
  if (executor.isolation === "process" && workerMb === 0) {
    throw new Error(`cannot read the isolated-vm worker's RSS (pid ${String(pid)}): the figure would be wrong`);
  }
  return { hostMb, workerMb, totalMb: hostMb + workerMb };
}

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

/** Sessions the leak phase's executor keeps; beyond it the least recently used is evicted. */
const LEAK_MAX_SESSIONS = 20;
/** Long-lived sessions of the leak phase; every {@link LEAK_CHURN_EVERY}th cell opens a new one instead. */
const LEAK_LONG_LIVED_SESSIONS = 10;
const LEAK_CHURN_EVERY = 10;

function mean(a: number, b: number): number {
  return (a + b) / 2;
}

/** The mean of a run before and one after the measured one. */
function meanRun(before: ConcurrentRun, after: ConcurrentRun): ConcurrentRun {
  return {
    wallMs: mean(before.wallMs, after.wallMs),
    throughputPerS: mean(before.throughputPerS, after.throughputPerS),
    p50Ms: mean(before.p50Ms, after.p50Ms),
    p99Ms: mean(before.p99Ms, after.p99Ms),
  };
}

export async function runScaleWorker(options: ScaleWorkerOptions): Promise<ScaleWorkerResult> {
  const add = createAddTool();
  const isolation = options.isolation === undefined ? {} : { isolation: options.isolation };
  const executor = new IsolatedVmExecutor(isolation);
  // Checkpointers keep each thread, so a second step finds its state (and CodeAct its live session).
  const codeact = createCodeActAgent({ model: new ScriptedChatModel(CODEACT_SCRIPT), tools: [add], executor, checkpointer: new MemorySaver() });
  const react = createReactAgent({ llm: new ScriptedChatModel(REACT_SCRIPT), tools: [add], checkpointSaver: new MemorySaver() });
  const input = () => ({ messages: [new HumanMessage("What is 1 + 2?")] });
  const thread = (prefix: string, index: number) => ({ configurable: { thread_id: `${prefix}-${index}` } });
  let leakExecutor: IsolatedVmExecutor | undefined;
  try {
    // Warm up code paths (and load modules) outside the measurement.
    for (let index = 0; index < 5; index += 1) {
      await codeact.invoke(input(), thread("warm", index));
      await react.invoke(input(), thread("warm", index));
    }
    await settle();
    const rssBaseline = rssSample(executor);

    // ReAct before and after CodeAct (A-B-A), averaged: load from other work on
    // the machine drifts over the tens of seconds a run takes
    phase = "createReactAgent steps (before)";
    const reactBefore = await concurrently(options.sessions, (index) => react.invoke(input(), thread("react-a", index)));
    await settle();
    const rssAfterReact = rssSample(executor);
    phase = "CodeAct steps";
    const codeactRun = await concurrently(options.sessions, (index) =>
      codeact.invoke(input(), thread("scale", index))
    );
    await settle();
    const rssLive = rssSample(executor);
    const liveSessions = executor.sessionCount;
    phase = "createReactAgent steps (after)";
    const reactAfter = await concurrently(options.sessions, (index) => react.invoke(input(), thread("react-b", index)));
    // Second steps, A-B-A again, each run settled first: the steady state of
    // many live conversations (CodeAct's sessions are still live).
    await settle();
    phase = "createReactAgent second steps (before)";
    const reactWarmBefore = await concurrently(options.sessions, (index) => react.invoke(input(), thread("react-a", index)));
    await settle();
    phase = "CodeAct second steps";
    const codeactWarm = await concurrently(options.sessions, (index) => codeact.invoke(input(), thread("scale", index)));
    await settle();
    phase = "createReactAgent second steps (after)";
    const reactWarmAfter = await concurrently(options.sessions, (index) => react.invoke(input(), thread("react-b", index)));
    const reactRun = meanRun(reactBefore, reactAfter);
    const reactWarm = meanRun(reactWarmBefore, reactWarmAfter);
    phase = "executor.close() after the steps";
    await executor.close();
    // let the host heap shrink back after the bursts before memory is watched
    for (let round = 0; round < 3; round += 1) {
      await settle();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    // Flat memory: many cells on a fresh executor, most in a few long-lived
    // sessions, every tenth in a new session so that sessions are also
    // created and evicted (maxSessions) all along: both paths that could leak.
    leakExecutor = new IsolatedVmExecutor({ ...isolation, maxSessions: LEAK_MAX_SESSIONS });
    const tools = createToolFunctions([add], { language: "javascript" });
    phase = "executions";
    const rssDuringExecutionsMb: number[] = [];
    const hostHeapDuringExecutionsMb: number[] = [];
    const durations: number[] = [];
    const tenth = Math.max(1, Math.floor(options.executions / 10));
    for (let index = 0; index < options.executions; index += 1) {
      const sessionId =
        index % LEAK_CHURN_EVERY === LEAK_CHURN_EVERY - 1
          ? `churn-${index}`
          : `leak-${index % LEAK_LONG_LIVED_SESSIONS}`;
      const begun = performance.now();
      const result = await leakExecutor.execute({
        code: `const r${index % 50} = await add({ a: ${index}, b: 1 }); [r${index % 50}, "x".repeat(1000)].length`,
        sessionId,
        tools,
      });
      durations.push(performance.now() - begun);
      if (result.error !== undefined) throw new Error(`cell ${index} failed: ${result.error.message}`);
      if ((index + 1) % tenth === 0) {
        await settle();
        rssDuringExecutionsMb.push(rssSample(leakExecutor).totalMb);
        hostHeapDuringExecutionsMb.push(process.memoryUsage().heapUsed / MB);
      }
    }
    const leakSessions = leakExecutor.sessionCount;
    if (leakSessions > LEAK_MAX_SESSIONS + 1) {
      throw new Error(`${leakSessions} live sessions after the executions, over maxSessions ${LEAK_MAX_SESSIONS}`);
    }
    return {
      sessions: options.sessions,
      isolation: executor.isolation,
      liveSessions,
      codeact: codeactRun,
      react: reactRun,
      reactRuns: [reactBefore, reactAfter],
      codeactWarm,
      reactWarm,
      rssBaseline,
      rssAfterReact,
      rssLive,
      rssPerSessionMb: (rssLive.totalMb - rssBaseline.totalMb) / options.sessions,
      executions: options.executions,
      rssDuringExecutionsMb,
      hostHeapDuringExecutionsMb,
      executionMedianMs: median(durations),
    };
  } finally {
    phase = "executor.close()";
    await executor.close();
    await leakExecutor?.close();
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
  runScaleWorker({
    sessions: options.sessions ?? 1000,
    executions: options.executions ?? 10_000,
    ...(options.isolation !== undefined && { isolation: options.isolation }),
  })
    .then((result) => {
      // Exit once the line is flushed: a pipe write is asynchronous.
      process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
