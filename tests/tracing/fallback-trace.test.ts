/** The tool-calling fallback in a LangSmith trace: the switch is recorded on the route run that made it. */
import { HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { createCodeActAgent } from "../../src/graph/create-codeact-graph.js";
import { startReplayServer, type ReplayServer } from "../support/replay-server.js";
import { buildTrees, flatten, startCaptureServer, type CaptureServer } from "./capture-server.js";
import { addTool, flushCallbacks, metadataOf, useLangSmithEnvironment } from "./helpers.js";

let capture: CaptureServer;
let replay: ReplayServer;
const executor = new IsolatedVmExecutor({ isolation: "in-process" });

beforeAll(async () => {
  capture = await startCaptureServer();
  useLangSmithEnvironment(capture.url, "codeact-fallback-traces");
  replay = await startReplayServer({ responses: ["", { toolCalls: [{ name: "add", arguments: { a: 1, b: 1 } }] }, "2."] });
});
afterAll(async () => {
  await executor.close();
  await replay.close();
  await capture.close();
});

it("marks the route run that switched the thread to tool calls, and traces the tool run", async () => {
  const model = new ChatOpenAI({ model: "small", apiKey: "test", maxRetries: 0, configuration: { baseURL: replay.baseUrl } });
  await createCodeActAgent({ model, tools: [addTool], executor, toolCallingFallback: 1 }).invoke({ messages: [new HumanMessage("1 + 1?")] });
  await flushCallbacks();
  const runs = flatten(buildTrees(capture.runs()));
  const switched = runs.filter((node) => metadataOf(node.run)["codeact_action_mode"] === "tool_calling");
  expect(switched.map((node) => node.run.name)).toEqual(["route"]);
  expect(runs.filter((node) => node.run.run_type === "tool").map((node) => node.run.name)).toEqual(["add"]);
});
