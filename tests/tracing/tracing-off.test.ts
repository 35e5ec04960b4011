import { HumanMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { createCodeActAgent } from "../../src/graph/create-codeact-graph.js";
import { createTraceSession, flushTraces } from "../../src/tracing/index.js";
import { startCaptureServer, type CaptureServer } from "./capture-server.js";
import { addTool, flushCallbacks, js, useLangSmithEnvironment } from "./helpers.js";

// Endpoint and key are set, tracing is not: nothing may reach the endpoint.
let capture: CaptureServer;
const executor = new IsolatedVmExecutor({ timeoutMs: 10_000 });

beforeAll(async () => {
  capture = await startCaptureServer();
  useLangSmithEnvironment(capture.url, "tracing-off", "false");
});
afterAll(async () => {
  await executor.close();
  await capture.close();
});

it("sends nothing when tracing is off", async () => {
  expect(createTraceSession()).toBeUndefined();
  const agent = createCodeActAgent({
    model: new FakeListChatModel({ responses: [js("await add({ a: 1, b: 2 })"), "3"] }),
    executor,
    tools: [addTool],
  });
  const state = await agent.invoke({ messages: [new HumanMessage("1+2?")] });
  expect(state.messages.at(-1)?.content).toBe("3");
  await flushCallbacks();
  await flushTraces();
  // Give a background sender a moment to show itself.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(capture.requests).toEqual([]);
});
