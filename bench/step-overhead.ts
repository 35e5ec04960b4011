/**
 * Goal 1, step overhead: one CodeAct step (the model writes one cell that
 * calls one tool, then answers) beside one step of LangGraph's prebuilt
 * tool-calling agent (`createReactAgent`: the model calls the tool, then
 * answers), with the same scripted model and the same tool.
 */
import { HumanMessage } from "@langchain/core/messages";
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import type { RunnableConfig } from "@langchain/core/runnables";
import { MemorySaver } from "@langchain/langgraph";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { createCodeActAgent } from "../src/graph/create-codeact-graph.js";
import { IsolatedVmExecutor } from "../src/executors/isolated-vm/index.js";
import type { ExecuteRequest, ExecuteResult, Executor } from "../src/executors/types.js";
import { ScriptedChatModel } from "./scripted-chat-model.js";
import { figure, sampleSideBySide, type BenchFigure } from "./stats.js";

const GROUP = "step overhead";
export const STEP_RATIO_GOAL = 1.2;
/** Steps per thread in the timed runs (the median is a warm step). */
const STEPS_PER_THREAD = 10;

export interface StepOverheadOptions {
  /** Alternating rounds (CodeAct, ReAct) and invocations per round. */
  rounds: number;
  runsPerRound: number;
  warmupRuns: number;
}

export const STEP_OVERHEAD_FULL: StepOverheadOptions = { rounds: 10, runsPerRound: 30, warmupRuns: 50 };
export const STEP_OVERHEAD_QUICK: StepOverheadOptions = { rounds: 3, runsPerRound: 10, warmupRuns: 10 };

/** The tool both agents call. */
export function createAddTool(): StructuredToolInterface {
  return tool(async ({ a, b }: { a: number; b: number }) => a + b, {
    name: "add",
    description: "Adds two numbers.",
    schema: z.object({ a: z.number(), b: z.number() }),
  });
}

export const CODEACT_SCRIPT = [
  { content: "```javascript\nawait add({ a: 1, b: 2 })\n```" },
  { content: "The sum is 3." },
];
export const REACT_SCRIPT = [
  { content: "", toolCalls: [{ name: "add", args: { a: 1, b: 2 } }] },
  { content: "The sum is 3." },
];

/**
 * Calls the tool function the graph hands it, without a sandbox: the graph's
 * own cost, to split the step overhead into graph and executor.
 */
class DirectCallExecutor implements Executor {
  readonly name = "direct-call";
  readonly language = "javascript" as const;
  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    const value = await request.tools?.["add"]?.({ a: 1, b: 2 });
    return { output: "", value: String(value), outputs: [], durationMs: 0 };
  }
  async close(): Promise<void> {}
}

/** Rows of the variable snapshot the checkpoint figure's session holds (about 13 KB of JSON). */
const SNAPSHOT_ROWS = 500;
/** Steps whose checkpoint writes are averaged. */
const CHECKPOINT_STEPS = 5;

/** A direct-call executor whose session holds a variable snapshot that its cells leave unchanged. */
class SnapshotExecutor extends DirectCallExecutor {
  readonly #variables = {
    rows: Array.from({ length: SNAPSHOT_ROWS }, (_, id) => ({ id, name: `row ${id}` })),
  };
  override async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    return { ...(await super.execute(request)), variables: this.#variables, unsavedVariables: [] };
  }
}

/** A MemorySaver that counts the serialised bytes of the node writes it stores. */
class CountingSaver extends MemorySaver {
  writeBytes = 0;
  override async putWrites(config: RunnableConfig, writes: Parameters<MemorySaver["putWrites"]>[1], taskId: string): Promise<void> {
    for (const [, value] of writes) this.writeBytes += (await this.serde.dumpsTyped(value))[1].length;
    return super.putWrites(config, writes, taskId);
  }
}

/**
 * KB of node writes a checkpointer stores per step (every saver stores
 * writes; Postgres also stores each changed channel once more), on a thread
 * whose session holds a variable snapshot: unchanged state must not be
 * written again.
 */
async function checkpointWritesPerStep(
  build: (saver: CountingSaver) => { invoke(input: unknown, config: RunnableConfig): Promise<unknown> }
): Promise<number> {
  const saver = new CountingSaver();
  const agent = build(saver);
  const config = { configurable: { thread_id: "checkpoint-writes" } };
  await agent.invoke({ messages: [new HumanMessage("First turn.")] }, config);
  saver.writeBytes = 0;
  for (let index = 0; index < CHECKPOINT_STEPS; index += 1) {
    await agent.invoke({ messages: [new HumanMessage("What is 1 + 2?")] }, config);
  }
  return saver.writeBytes / CHECKPOINT_STEPS / 1024;
}

/**
 * Checkpoint writes of a CodeAct step beside a `createReactAgent` step (a
 * deterministic figure, unlike the timings). Separate from
 * {@link runStepOverhead} so the suite can list it where it wants.
 */
export async function runCheckpointWrites(): Promise<BenchFigure> {
  const add = createAddTool();
  const codeactWrites = await checkpointWritesPerStep((checkpointer) =>
    createCodeActAgent({
      model: new ScriptedChatModel(CODEACT_SCRIPT),
      tools: [add],
      executor: new SnapshotExecutor(),
      checkpointer,
    })
  );
  const reactWrites = await checkpointWritesPerStep((checkpointSaver) =>
    createReactAgent({ llm: new ScriptedChatModel(REACT_SCRIPT), tools: [add], checkpointSaver })
  );
  return figure({
    group: GROUP,
    name: `checkpoint writes per step, session with a ${SNAPSHOT_ROWS}-row snapshot (graph only)`,
    value: codeactWrites,
    unit: "KB",
    baseline: { name: "createReactAgent step", value: reactWrites },
  });
}

export async function runStepOverhead(options: StepOverheadOptions): Promise<BenchFigure[]> {
  const add = createAddTool();
  const executor = new IsolatedVmExecutor();
  // Every agent keeps its threads in a checkpointer, as in a running
  // conversation: the thread's state and its sandbox session stay warm (a
  // thread without one starts from empty state, and so in a new session).
  const codeact = createCodeActAgent({
    model: new ScriptedChatModel(CODEACT_SCRIPT),
    tools: [add],
    executor,
    checkpointer: new MemorySaver(),
  });
  const inProcessExecutor = new IsolatedVmExecutor({ isolation: "in-process" });
  const inProcess = createCodeActAgent({
    model: new ScriptedChatModel(CODEACT_SCRIPT),
    tools: [add],
    executor: inProcessExecutor,
    checkpointer: new MemorySaver(),
  });
  const graphOnly = createCodeActAgent({
    model: new ScriptedChatModel(CODEACT_SCRIPT),
    tools: [add],
    executor: new DirectCallExecutor(),
    checkpointer: new MemorySaver(),
  });
  const react = createReactAgent({ llm: new ScriptedChatModel(REACT_SCRIPT), tools: [add], checkpointSaver: new MemorySaver() });
  const input = () => ({ messages: [new HumanMessage("What is 1 + 2?")] });
  // A new thread every few steps keeps the history (which every step's
  // checkpoint carries) short; one step in that many starts a session.
  const threads = () => {
    let steps = 0;
    return () => ({ configurable: { thread_id: `step-overhead-${Math.floor(steps++ / STEPS_PER_THREAD)}` } });
  };
  const [codeactThread, inProcessThread, graphOnlyThread, reactThread] = [threads(), threads(), threads(), threads()];

  try {
    const check = await codeact.invoke(input(), codeactThread());
    const observation = check.messages.at(-2)?.content;
    if (!String(JSON.stringify(observation)).includes("3")) {
      throw new Error(`CodeAct step did not run the tool: ${JSON.stringify(observation)}`);
    }
    for (let index = 0; index < options.warmupRuns; index += 1) {
      await codeact.invoke(input(), codeactThread());
      await inProcess.invoke(input(), inProcessThread());
      await graphOnly.invoke(input(), graphOnlyThread());
      await react.invoke(input(), reactThread());
    }
    const full = await sampleSideBySide(
      options.rounds,
      options.runsPerRound,
      () => codeact.invoke(input(), codeactThread()),
      () => react.invoke(input(), reactThread())
    );
    const inProcessRun = await sampleSideBySide(
      options.rounds,
      options.runsPerRound,
      () => inProcess.invoke(input(), inProcessThread()),
      () => react.invoke(input(), reactThread())
    );
    const graph = await sampleSideBySide(
      options.rounds,
      options.runsPerRound,
      () => graphOnly.invoke(input(), graphOnlyThread()),
      () => react.invoke(input(), reactThread())
    );
    const baselineName = "createReactAgent step";
    return [
      figure({
        group: GROUP,
        name: "CodeAct step, isolated-vm (median)",
        value: full.a,
        unit: "ms",
        baseline: { name: baselineName, value: full.b },
        goal: { of: "ratio", max: STEP_RATIO_GOAL },
      }),
      figure({
        group: GROUP,
        name: "CodeAct step, isolated-vm in-process (median)",
        value: inProcessRun.a,
        unit: "ms",
        baseline: { name: baselineName, value: inProcessRun.b },
      }),
      figure({
        group: GROUP,
        name: "CodeAct step, no sandbox (graph only)",
        value: graph.a,
        unit: "ms",
        baseline: { name: baselineName, value: graph.b },
      }),
    ];
  } finally {
    await executor.close();
    await inProcessExecutor.close();
  }
}
