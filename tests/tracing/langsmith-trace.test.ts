import { createHash, randomBytes } from "node:crypto";
import { HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ChatOpenAI } from "@langchain/openai";
import { Client } from "langsmith";
import { z } from "zod";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { createCodeActAgent, createCodeActGraph } from "../../src/graph/create-codeact-graph.js";
import { isObservation } from "../../src/graph/messages.js";
import { FakeExecutor } from "../../src/testing/fake-executor.js";
import { createTraceSession } from "../../src/tracing/index.js";
import { startReplayServer, type ReplayServer } from "../support/replay-server.js";
import {
  buildTrees,
  flatten,
  outline,
  startCaptureServer,
  type CaptureServer,
} from "./capture-server.js";
import {
  addTool,
  divideTool,
  flushCallbacks,
  js,
  metadataOf,
  only,
  TEST_API_KEY,
  useLangSmithEnvironment,
} from "./helpers.js";

// The real langsmith client, configured by the standard environment,
// posting JSON batches to a local capture endpoint.
const PROJECT = "codeact-tracing-tests";
let capture: CaptureServer;
let replay: ReplayServer | undefined;
const executors: IsolatedVmExecutor[] = [];
const newExecutor = (): IsolatedVmExecutor => {
  const executor = new IsolatedVmExecutor({ timeoutMs: 10_000 });
  executors.push(executor);
  return executor;
};
const ask = (text: string) => ({ messages: [new HumanMessage(text)] });

beforeAll(async () => {
  capture = await startCaptureServer();
  useLangSmithEnvironment(capture.url, PROJECT);
});
beforeEach(() => capture.reset());
afterEach(async () => {
  await replay?.close();
  replay = undefined;
});
afterAll(async () => {
  await Promise.all(executors.map((executor) => executor.close()));
  await capture.close();
});

describe("LangSmith traces of a CodeAct run", () => {
  it("sends one trace: the graph, each model call as an LLM run, each cell with its tool runs", async () => {
    const code = [
      "const sum = await add({ a: 2, b: 3 });",
      "try {",
      "  await divide({ a: 1, b: 0 });",
      "} catch (error) {",
      "  console.log('caught:', error.message);",
      "}",
      "sum",
    ].join("\n");
    replay = await startReplayServer({ responses: [js(code), "The sum is 5."] });
    const model = new ChatOpenAI({
      model: "replay-model",
      apiKey: "test",
      maxRetries: 0,
      configuration: { baseURL: replay.baseUrl },
    });
    const agent = createCodeActAgent({
      model,
      executor: newExecutor(),
      tools: [addTool, divideTool],
      name: "traced_agent",
    });
    const result = await agent.invoke(ask("What is 2 + 3?"), {
      configurable: { thread_id: "thread-trace" },
    });
    expect(result.messages.at(-1)?.content).toBe("The sum is 5.");
    await flushCallbacks();

    const trees = buildTrees(capture.runs());
    expect(trees).toHaveLength(1);
    const [root] = trees as [(typeof trees)[number]];
    expect(outline(root)).toEqual([
      "chain:traced_agent",
      "  chain:__start__",
      "  chain:model",
      "    llm:ChatOpenAI",
      "  chain:route",
      "  chain:execute",
      "    chain:execute_code",
      "      tool:add",
      "      tool:divide",
      "  chain:model",
      "    llm:ChatOpenAI",
    ]);
    const runs = flatten(trees);
    expect(new Set(runs.map((node) => node.run.session_name))).toEqual(new Set([PROJECT]));

    // The model calls are LLM runs with the prompt and the reply.
    const [firstCall, secondCall] = runs.filter((node) => node.run.run_type === "llm");
    expect(JSON.stringify(firstCall?.run.inputs)).toContain("What is 2 + 3?");
    expect(JSON.stringify(firstCall?.run.outputs)).toContain("await add({ a: 2, b: 3 })");
    expect(JSON.stringify(secondCall?.run.inputs)).toContain("Value: 5");
    expect(JSON.stringify(secondCall?.run.outputs)).toContain("The sum is 5.");

    // The cell: code in, output/value/error out, facts about the run in metadata.
    const cell = only(runs, "execute_code");
    expect(cell.run.inputs).toEqual({ code });
    expect(cell.run.outputs).toEqual({ output: "caught: divide: division by zero\n", value: "5" });
    expect(cell.run.error ?? undefined).toBeUndefined();
    const metadata = metadataOf(cell.run);
    expect(metadata).toMatchObject({
      codeact_executor: "isolated-vm",
      codeact_language: "javascript",
      codeact_session: "thread-trace",
      codeact_truncated: false,
      codeact_rich_outputs: 0,
    });
    expect(typeof metadata["codeact_duration_ms"]).toBe("number");
    expect(metadata["codeact_duration_ms"] as number).toBeGreaterThanOrEqual(0);

    // Each tool call made by the code: arguments, and result or error.
    const [add, divide] = cell.children;
    expect(add?.run).toMatchObject({ inputs: { a: 2, b: 3 }, outputs: { output: 5 } });
    expect(add?.run.error ?? undefined).toBeUndefined();
    expect(divide?.run.inputs).toEqual({ a: 1, b: 0 });
    expect(divide?.run.error).toMatch(/^division by zero/);

    // The key from the environment went along with every ingest request.
    const ingest = capture.requests.filter((request) => request.path === "/runs/batch");
    expect(ingest.length).toBeGreaterThan(0);
    expect(ingest.every((request) => request.headers["x-api-key"] === TEST_API_KEY)).toBe(true);
  });

  it("nests an agent called from code, and an agent used as a subgraph, under their callers", async () => {
    const researcher = createCodeActAgent({
      model: new FakeListChatModel({ responses: [js("await add({ a: 40, b: 2 })"), "The answer is 42."] }),
      executor: newExecutor(),
      tools: [addTool],
      name: "researcher_agent",
    });
    // Passes no config: the tool run's context carries the parent run.
    const research = tool(
      async ({ question }: { question: string }) => {
        const state = await researcher.invoke(ask(question));
        return String(state.messages.at(-1)?.content);
      },
      { name: "research", description: "Asks the researcher.", schema: z.object({ question: z.string() }) }
    );
    const lead = createCodeActAgent({
      model: new FakeListChatModel({
        responses: [js("const answer = await research({ question: 'meaning?' });\nanswer"), "42."],
      }),
      executor: newExecutor(),
      tools: [research],
      name: "lead_agent",
    });
    const team = new StateGraph(MessagesAnnotation)
      .addNode("lead", lead)
      .addEdge(START, "lead")
      .compile({ name: "team" });
    await team.invoke(ask("meaning?"), { recursionLimit: 20 });
    await flushCallbacks();

    const trees = buildTrees(capture.runs());
    expect(trees).toHaveLength(1);
    const runs = flatten(trees);
    const leadNode = only(runs, "lead");
    expect(leadNode.children.map((node) => node.run.name)).toEqual(["lead_agent"]);
    const leadCell = only(runs, "research").run.parent_run_id;
    expect(runs.find((node) => node.run.id === leadCell)?.run.name).toBe("execute_code");
    const researchTool = only(runs, "research");
    expect(researchTool.run.outputs).toEqual({ output: "The answer is 42." });
    expect(researchTool.children.map((node) => node.run.name)).toEqual(["researcher_agent"]);
    const inner = outline(researchTool.children[0] as (typeof runs)[number]);
    expect(inner).toEqual([
      "chain:researcher_agent",
      "  chain:__start__",
      "  chain:model",
      "    llm:FakeListChatModel",
      "  chain:route",
      "  chain:execute",
      "    chain:execute_code",
      "      tool:add",
      "  chain:model",
      "    llm:FakeListChatModel",
    ]);
  });

  it("references rich outputs in the cell's run instead of sending their data; the node keeps the data", async () => {
    const image = randomBytes(1_200_000);
    const imageBase64 = image.toString("base64");
    const html = `<table>${"<tr><td>cell</td></tr>".repeat(5_000)}</table>`;
    const run = async (includeImagesInObservation: boolean) => {
      capture.reset();
      const executor = new FakeExecutor({
        results: {
          output: "plotted\n",
          outputs: [
            { mimeType: "image/png", data: imageBase64, text: "<Figure size 640x480>" },
            { mimeType: "text/html", data: html },
          ],
          durationMs: 12,
        },
        name: "fake-rich",
      });
      const app = createCodeActGraph({
        model: new FakeListChatModel({ responses: [js("plot()"), "Here is the plot."] }),
        executor,
        includeImagesInObservation,
      }).compile();
      const state = await app.invoke(ask("plot it"), { recursionLimit: 10 });
      await flushCallbacks();
      return state;
    };

    await run(false);
    const sentBytes = capture.requests.reduce((total, request) => total + request.bodyBytes, 0);
    expect(sentBytes).toBeLessThan(100_000);
    const cell = only(flatten(buildTrees(capture.runs())), "execute_code").run;
    expect(cell.outputs).toEqual({
      output: "plotted\n",
      outputs: [
        {
          mimeType: "image/png",
          bytes: image.length,
          sha256: createHash("sha256").update(image).digest("hex"),
          text: "<Figure size 640x480>",
        },
        {
          mimeType: "text/html",
          bytes: Buffer.byteLength(html),
          sha256: createHash("sha256").update(html).digest("hex"),
          preview: expect.stringMatching(/^<table><tr><td>cell<\/td><\/tr>.*\[\d+ characters truncated\].*<\/table>$/s),
          truncated: true,
        },
      ],
    });
    expect((cell.outputs?.["outputs"] as { preview?: string }[])[1]?.preview?.length).toBeLessThan(2_100);
    expect(metadataOf(cell)).toMatchObject({
      codeact_executor: "fake-rich",
      codeact_duration_ms: 12,
      codeact_rich_outputs: 2,
    });

    // With images sent to the model, the node still received the full image.
    const state = await run(true);
    const observation = state.messages.find((message) => isObservation(message));
    expect(JSON.stringify(observation?.content)).toContain(imageBase64);
    const cellAgain = only(flatten(buildTrees(capture.runs())), "execute_code").run;
    expect(JSON.stringify(cellAgain.outputs).length).toBeLessThan(5_000);
  });

  it("gives the CLI the root run id and the trace URL, without sending runs twice", async () => {
    const session = createTraceSession();
    expect(session).toBeDefined();
    if (session === undefined) return;
    expect(session.projectName).toBe(PROJECT);
    expect(session.warning).toBeUndefined();
    const app = createCodeActAgent({
      model: new FakeListChatModel({ responses: [js("await add({ a: 1, b: 1 })"), "2"] }),
      executor: newExecutor(),
      tools: [addTool],
    });
    // As the CLI streams: the session's config spread into the stream call.
    for await (const _chunk of await app.stream(ask("1+1"), { ...session.config, streamMode: "values" })) {
      // drain
    }
    await session.flush();

    const posted = capture.operations.filter((operation) => operation.kind === "post");
    expect(new Set(posted.map((operation) => operation.run.id)).size).toBe(posted.length);
    const trees = buildTrees(capture.runs());
    expect(trees.map((tree) => tree.run.id)).toEqual([session.runId]);
    expect(only(flatten(trees), "execute_code").children.map((node) => node.run.name)).toEqual(["add"]);

    const url = await session.traceUrl();
    expect(url).toBe(
      `http://localhost:3000/o/${capture.project.tenantId}/projects/p/${capture.project.id}/r/${session.runId}?poll=true`
    );
    const lookup = capture.requests.find((request) => request.path === "/sessions");
    expect(lookup?.headers["x-api-key"]).toBe(TEST_API_KEY);
  });

  it("traces through the multipart endpoint when the server offers it", async () => {
    const multipart = await startCaptureServer({ info: {} });
    try {
      const session = createTraceSession({
        force: true,
        projectName: "multipart-project",
        client: new Client({ apiUrl: multipart.url, apiKey: TEST_API_KEY }),
      });
      if (session === undefined) throw new Error("a forced session is always created");
      const app = createCodeActGraph({
        model: new FakeListChatModel({ responses: [js("await add({ a: 4, b: 5 })"), "9"] }),
        executor: newExecutor(),
        tools: [addTool],
      }).compile();
      await app.invoke(ask("4+5"), { ...session.config, recursionLimit: 10 });
      await session.flush();

      expect(multipart.requests.some((request) => request.path === "/runs/multipart")).toBe(true);
      expect(multipart.requests.some((request) => request.path === "/runs/batch")).toBe(false);
      const trees = buildTrees(multipart.runs());
      expect(trees.map((tree) => tree.run.id)).toEqual([session.runId]);
      const cell = only(flatten(trees), "execute_code");
      expect(cell.run.inputs).toEqual({ code: "await add({ a: 4, b: 5 })" });
      expect(cell.run.outputs).toEqual({ output: "", value: "9" });
      expect(cell.children[0]?.run).toMatchObject({ name: "add", inputs: { a: 4, b: 5 }, outputs: { output: 9 } });
      // The default capture server saw none of it.
      expect(capture.operations).toHaveLength(0);
    } finally {
      await multipart.close();
    }
  });
});
