/** A tool approval inside an agent used as a subgraph: the interrupt reaches the parent, whose resume carries the cell on. */
import { tool } from "@langchain/core/tools";
import { Command, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { createCodeActGraph } from "../../src/index.js";
import { js, ScriptedChatModel } from "../graph/helpers.js";

const executor = new IsolatedVmExecutor({ isolation: "in-process" });
afterAll(() => executor.close());

it("pauses inside the subgraph and resumes from the parent, each tool running once", async () => {
  const runs: string[] = [];
  const send = tool(async ({ to }: { to: string }) => {
    runs.push(to);
    return `sent to ${to}`;
  }, { name: "send", description: "Sends.", schema: z.object({ to: z.string() }) });
  const count = tool(async () => {
    runs.push("count");
    return 2;
  }, { name: "count", description: "Counts.", schema: z.object({}) });
  const model = new ScriptedChatModel([js("const n = await count({});\nconsole.log(await send({ to: 'x' + n }))"), "Sent."]);
  const agent = createCodeActGraph({ model, tools: [count, send], executor, approveToolCalls: ["send"] }).compile({ name: "mailer" });
  const parent = new StateGraph(MessagesAnnotation).addNode("mailer", agent).addEdge(START, "mailer").compile({ checkpointer: new MemorySaver() });
  const config = { configurable: { thread_id: "parent-1" } };
  const paused = (await parent.invoke({ messages: [{ role: "user", content: "send it" }] }, config)) as { __interrupt__?: Array<{ value: { tool: string; args: unknown } }> };
  expect(paused.__interrupt__?.[0]?.value).toMatchObject({ tool: "send", args: { to: "x2" } });
  const done = await parent.invoke(new Command({ resume: { action: "approve" } }), config);
  expect(runs).toEqual(["count", "x2"]);
  expect(JSON.stringify(done.messages.map((message) => message.content))).toContain("sent to x2");
});
