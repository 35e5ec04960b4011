/**
 * Traces of a tool approval: the run that resumes a paused cell shows, under
 * its cell, the human's answer (`tool_approval`) and then the tool's run;
 * the interrupted run shows the cell as paused, with the calls made so far.
 */
import { HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { Command, MemorySaver } from "@langchain/langgraph";
import { z } from "zod";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { createCodeActAgent } from "../../src/graph/create-codeact-graph.js";
import { buildTrees, outline, flatten, startCaptureServer, type CaptureServer } from "./capture-server.js";
import { addTool, flushCallbacks, js, only, useLangSmithEnvironment } from "./helpers.js";

let capture: CaptureServer;
const executor = new IsolatedVmExecutor({ timeoutMs: 10_000 });

beforeAll(async () => {
  capture = await startCaptureServer();
  useLangSmithEnvironment(capture.url, "codeact-approval-traces");
});
afterAll(async () => {
  await executor.close();
  await capture.close();
});

it("shows the answer and the approved tool's run under the resumed cell", async () => {
  const sendEmail = tool(async ({ to }: { to: string }) => `sent to ${to}`, {
    name: "send_email",
    description: "Sends an email.",
    schema: z.object({ to: z.string() }),
  });
  const code = "const n = await add({ a: 1, b: 2 });\nconsole.log(await send_email({ to: 'x' + n + '@example.com' }));";
  const agent = createCodeActAgent({
    model: new FakeListChatModel({ responses: [js(code), "Sent."] }),
    tools: [addTool, sendEmail],
    executor,
    checkpointer: new MemorySaver(),
    approveToolCalls: ["send_email"],
    name: "approval_agent",
  });
  const config = { configurable: { thread_id: "approval-trace" } };
  await agent.invoke({ messages: [new HumanMessage("go")] }, config);
  await flushCallbacks();
  const paused = buildTrees(capture.runs());
  expect(paused).toHaveLength(1);
  expect(outline(paused[0]!)).toEqual([
    "chain:approval_agent",
    "  chain:__start__",
    "  chain:model",
    "    llm:FakeListChatModel",
    "  chain:route",
    "  chain:execute",
    "    chain:execute_code",
    "      tool:add",
    "  chain:route",
  ]);
  const pausedCell = only(flatten(paused), "execute_code");
  expect(pausedCell.run.outputs).toMatchObject({ paused: { tool: "send_email", args: { to: "x3@example.com" }, awaiting: true } });
  capture.reset();

  await agent.invoke(new Command({ resume: { action: "edit", args: { to: "boss@example.com" } } }), config);
  await flushCallbacks();
  const resumed = buildTrees(capture.runs());
  expect(resumed).toHaveLength(1);
  expect(outline(resumed[0]!)).toEqual([
    "chain:approval_agent",
    "  chain:route",
    "  chain:execute",
    "    chain:execute_code",
    "      chain:tool_approval",
    "      tool:send_email",
    "  chain:model",
    "    llm:FakeListChatModel",
  ]);
  const runs = flatten(resumed);
  const approval = only(runs, "tool_approval");
  expect(approval.run.inputs).toEqual({ tool: "send_email", args: { to: "x3@example.com" } });
  expect(approval.run.outputs).toEqual({ decision: { action: "edit", args: { to: "boss@example.com" } } });
  expect(only(runs, "send_email").run.outputs).toMatchObject({ output: "sent to boss@example.com" });
  expect(only(runs, "execute_code").run.outputs).toMatchObject({ output: "sent to boss@example.com\n" });
});
