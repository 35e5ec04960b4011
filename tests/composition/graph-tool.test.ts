/**
 * graphTool: a JavaScript CodeAct agent's code calls a Python CodeAct agent
 * (real isolated-vm, real jupyter-server, replay model over HTTP); the
 * child's run nests under the caller's tool run; it runs on a thread derived
 * from the caller's; a child with a structured answer returns it to the
 * caller's code. And a CodeAct agent works as a supervisor's worker.
 */
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { HumanMessage } from "@langchain/core/messages";
import type { Serialized } from "@langchain/core/load/serializable";
import type { ChainValues } from "@langchain/core/utils/types";
import { MemorySaver } from "@langchain/langgraph";
import { createSupervisor } from "@langchain/langgraph-supervisor";
import { ChatOpenAI } from "@langchain/openai";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../src/executors/jupyter/index.js";
import { createCodeActAgent } from "../../src/index.js";
import { z } from "zod";
import { graphTool } from "../../src/tools/graph-tool.js";
import { startReplayServer, type ChatRequestBody, type ReplayServer } from "../support/replay-server.js";

jest.setTimeout(120_000);

const fence = (language: string, code: string) => "```" + language + "\n" + code + "\n```";
const userTexts = (body: ChatRequestBody) =>
  body.messages
    .filter((message) => message.role === "user")
    .map((message) => (typeof message.content === "string" ? message.content : JSON.stringify(message.content)));
const systemText = (body: ChatRequestBody) => String(body.messages[0]?.content ?? "");

/** Records every run's name and parent, as a tracer would see them. */
class RunCollector extends BaseCallbackHandler {
  name = "run_collector";
  runs = new Map<string, { name: string; parent: string | undefined; threadId: unknown }>();
  override handleChainStart(
    chain: Serialized,
    _inputs: ChainValues,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    _runType?: string,
    runName?: string
  ) {
    this.runs.set(runId, { name: runName ?? chain.id?.at(-1) ?? "?", parent: parentRunId, threadId: metadata?.["thread_id"] });
  }
  override handleToolStart(
    tool: Serialized,
    _input: string,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    runName?: string
  ) {
    this.runs.set(runId, { name: runName ?? tool.id?.at(-1) ?? "?", parent: parentRunId, threadId: undefined });
  }
  ancestors(runId: string): string[] {
    const names: string[] = [];
    for (let run = this.runs.get(runId); run?.parent !== undefined; run = this.runs.get(run.parent)) {
      const parent = this.runs.get(run.parent);
      if (parent === undefined) break;
      names.push(parent.name);
    }
    return names;
  }
}

let replay: ReplayServer;
let jupyter: LocalJupyter;
let jsExecutor: IsolatedVmExecutor;
let pyExecutor: JupyterExecutor;

beforeAll(async () => {
  replay = await startReplayServer({
    responses: Array.from({ length: 100 }, () => (body: ChatRequestBody) => {
      const users = userTexts(body);
      if ((body.tools?.length ?? 0) > 0) {
        const delegated = body.messages.some((message) => (message.tool_calls?.length ?? 0) > 0);
        return delegated ? "Supervisor: the worker said 42." : { toolCalls: [{ name: "transfer_to_js_worker", arguments: {} }] };
      }
      if (systemText(body).includes("Python") && !systemText(body).includes("JavaScript")) {
        // The Python child: compute, then answer.
        return users.some((text) => text.includes("mean=2.5"))
          ? "The mean is 2.5."
          : fence("python", "import statistics\nprint(f\"mean={statistics.mean([1, 2, 3, 4])}\")");
      }
      if (users.some((text) => text.includes("CHILD SAID"))) return "The Python analyst found: The mean is 2.5.";
      if (users.some((text) => text.includes("WORKER"))) {
        return users.some((text) => text.includes("worker=42")) ? "worker=42 done" : fence("javascript", "console.log('worker=' + 6 * 7)");
      }
      return fence("javascript", 'const reply = await python_analyst({ task: "mean of 1..4" });\nconsole.log("CHILD SAID " + reply);');
    }),
  });
  jupyter = await startLocalJupyter();
  jsExecutor = new IsolatedVmExecutor();
  pyExecutor = new JupyterExecutor({ baseUrl: jupyter.baseUrl, token: jupyter.token });
}, 120_000);

afterAll(async () => {
  await jsExecutor?.close();
  await pyExecutor?.close();
  await jupyter?.stop();
  await replay?.close();
});

const model = (name: string) =>
  new ChatOpenAI({ model: name, apiKey: "test", configuration: { baseURL: replay.baseUrl } });

it("lets JavaScript code call a Python agent, nested in the caller's run, on a derived thread", async () => {
  const pythonAnalyst = createCodeActAgent({ model: model("py"), executor: pyExecutor, name: "python_analyst_graph" });
  const analystTool = graphTool(pythonAnalyst, { name: "python_analyst", description: "Python data analyst." });
  const lead = createCodeActAgent({ model: model("js"), executor: jsExecutor, tools: [analystTool], name: "lead_graph", checkpointer: new MemorySaver() });
  const collector = new RunCollector();

  const result = await lead.invoke(
    { messages: [new HumanMessage("Ask the analyst for the mean of 1..4")] },
    { configurable: { thread_id: "caller-thread" }, callbacks: [collector] }
  );

  const contents = result.messages.map((message) => JSON.stringify(message.content));
  expect(contents.some((text) => text.includes("CHILD SAID The mean is 2.5."))).toBe(true);
  expect(result.messages.at(-1)?.content).toBe("The Python analyst found: The mean is 2.5.");

  // The child graph's root run sits under the tool run, under the cell, under the caller.
  const childRoot = [...collector.runs].find(([, run]) => run.name === "python_analyst_graph");
  expect(childRoot).toBeDefined();
  const chain = collector.ancestors(childRoot![0]);
  expect(chain[0]).toBe("python_analyst");
  expect(chain).toEqual(expect.arrayContaining(["execute_code", "execute", "lead_graph"]));
  expect(chain.at(-1)).toBe("lead_graph");
  // Its own thread: derived from, not equal to, the caller's.
  const childThread = childRoot![1].threadId;
  expect(typeof childThread).toBe("string");
  expect(childThread).not.toBe("caller-thread");
  // The Python child really ran in Jupyter.
  expect(replay.requests.some((request) => userTexts(request).some((text) => text.includes("mean=2.5")))).toBe(true);
});

it("works as a worker under @langchain/langgraph-supervisor", async () => {
  const worker = createCodeActAgent({ model: model("worker"), executor: jsExecutor, name: "js_worker", description: "Runs JavaScript." });
  const supervisor = createSupervisor({
    agents: [worker] as unknown as Parameters<typeof createSupervisor>[0]["agents"],
    llm: model("supervisor"),
  }).compile({ checkpointer: new MemorySaver() });
  const result = await supervisor.invoke(
    { messages: [new HumanMessage("WORKER: compute 6*7")] },
    { configurable: { thread_id: "supervised" } }
  );
  const contents = result.messages.map((message) => String(message.content));
  expect(contents).toContain("worker=42 done");
  expect(contents.at(-1)).toBe("Supervisor: the worker said 42.");
  expect(result.messages.some((message) => message.name === "js_worker")).toBe(true);
});

it("returns the child's structured answer to the caller's code", async () => {
  const structuredReplay = await startReplayServer({
    responses: Array.from({ length: 10 }, () => (body: ChatRequestBody) => {
      const users = userTexts(body);
      if (body.model === "child") return fence("json", JSON.stringify({ mean: 2.5, count: 4 }));
      return users.some((text) => text.includes("MEAN"))
        ? "The child computed it."
        : fence("javascript", 'const r = await stats({ task: "mean of 1..4" });\nconsole.log("MEAN " + r.structuredResponse.mean + " of " + r.structuredResponse.count + " | " + typeof r.answer);');
    }),
  });
  try {
    const at = (name: string) =>
      new ChatOpenAI({ model: name, apiKey: "test", configuration: { baseURL: structuredReplay.baseUrl } });
    const child = createCodeActAgent({
      model: at("child"),
      executor: jsExecutor,
      name: "stats_graph",
      responseFormat: z.object({ mean: z.number(), count: z.number().int() }),
    });
    const caller = createCodeActAgent({
      model: at("caller"),
      executor: jsExecutor,
      tools: [graphTool(child, { name: "stats", description: "Computes statistics." })],
    });
    const result = await caller.invoke({ messages: [new HumanMessage("What is the mean of 1..4?")] });
    const contents = result.messages.map((message) => JSON.stringify(message.content));
    expect(contents.some((text) => text.includes("MEAN 2.5 of 4 | string"))).toBe(true);
    expect(result.messages.at(-1)?.content).toBe("The child computed it.");
  } finally {
    await structuredReplay.close();
  }
});
