import type { BaseMessage } from "@langchain/core/messages";
import { Command, END, MemorySaver, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import {
  CodeActState,
  createCodeActGraph,
  createCodeActNodes,
  createExecuteNode,
  createModelNode,
  createRouteNode,
  NODE_EXECUTE,
  NODE_MODEL,
  NODE_ROUTE,
  type CreateCodeActParams,
} from "../../src/index.js";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { resolveCodeAct } from "../../src/graph/resolve.js";
import { addTool, js, multiplyTool, ScriptedChatModel, textOf } from "./helpers.js";

// One scripted conversation that needs lazy tool discovery (the code calls
// searchTools, which only exists when the execute node knows about it),
// approval (an interrupt resumed with an edit) and a structured answer (one
// invalid, one valid).
const SCRIPT = [
  js('const found = await searchTools("add two numbers"); console.log(found.includes("add")); await add({ a: 2, b: 3 })'),
  js("await multiply({ a: 6, b: 7 })"),
  "Done: {\"answer\": \"forty-two\"}",
  'Done: {"answer": 42}',
];

function paramsFor(executor: IsolatedVmExecutor): CreateCodeActParams {
  return {
    model: new ScriptedChatModel(SCRIPT),
    tools: [addTool, multiplyTool],
    executor,
    lazyToolsThreshold: 0,
    approve: (code) => code.includes("multiply"),
    responseFormat: z.object({ answer: z.number() }),
    maxSteps: 5,
  };
}

/** The nodes wired by hand, as a user of the node pack would. */
function handWired(params: CreateCodeActParams) {
  return new StateGraph(CodeActState)
    .addNode(NODE_MODEL, createModelNode(params))
    .addNode(NODE_ROUTE, createRouteNode(params), { ends: [NODE_EXECUTE, NODE_MODEL, END] })
    .addNode(NODE_EXECUTE, createExecuteNode(params))
    .addEdge(START, NODE_MODEL)
    .addEdge(NODE_MODEL, NODE_ROUTE)
    .addEdge(NODE_EXECUTE, NODE_MODEL);
}

async function run(graph: ReturnType<typeof handWired>): Promise<{ messages: BaseMessage[]; structured: unknown; interrupt: unknown }> {
  const app = graph.compile({ checkpointer: new MemorySaver() });
  const config = { configurable: { thread_id: "same-thread" } };
  const first = await app.invoke({ messages: [{ role: "user", content: "What is 6 times 7?" }] }, config);
  const pending = (first as { __interrupt__?: Array<{ value: unknown }> }).__interrupt__?.[0]?.value;
  const final = await app.invoke(
    new Command({ resume: { action: "edit", code: "await multiply({ a: 6, b: 7 }) + 0" } }),
    config
  );
  return { messages: final.messages, structured: final.structuredResponse, interrupt: pending };
}

describe("one resolution for the factory and hand-wired nodes", () => {
  const executors: IsolatedVmExecutor[] = [];
  const executor = (): IsolatedVmExecutor => {
    const created = new IsolatedVmExecutor({ isolation: "in-process" });
    executors.push(created);
    return created;
  };
  afterAll(async () => {
    await Promise.all(executors.map((created) => created.close()));
  });

  it("gives the same messages through createCodeActGraph and through the nodes wired by hand", async () => {
    const viaFactory = await run(createCodeActGraph(paramsFor(executor())));
    const byHand = await run(handWired(paramsFor(executor())));
    const texts = (messages: BaseMessage[]) => messages.map((message) => [message.getType(), textOf(message)]);

    expect(texts(byHand.messages)).toEqual(texts(viaFactory.messages));
    // The run really covered what it claims to: discovery worked in the sandbox…
    const firstObservation = textOf(byHand.messages[2]);
    expect(firstObservation).toContain("true");
    expect(firstObservation).toContain("Value: 5");
    expect(firstObservation).not.toContain("ReferenceError");
    // …approval interrupted with the code, and the edit ran…
    expect(byHand.interrupt).toMatchObject({ type: "codeact_approval", code: "await multiply({ a: 6, b: 7 })" });
    expect(textOf(byHand.messages[4])).toContain("Value: 42");
    // …and the structured answer was corrected once, then accepted.
    expect(byHand.structured).toEqual({ answer: 42 });
    expect(viaFactory.structured).toEqual({ answer: 42 });
  });

  it("tells the model the same system prompt from both paths", async () => {
    const factoryModel = new ScriptedChatModel(["No code needed."]);
    const handModel = new ScriptedChatModel(["No code needed."]);
    const common = { tools: [addTool], executor: executor(), lazyToolsThreshold: 0 };
    await createCodeActGraph({ ...common, model: factoryModel }).compile().invoke({ messages: [{ role: "user", content: "hi" }] });
    await handWired({ ...common, model: handModel }).compile().invoke({ messages: [{ role: "user", content: "hi" }] });
    expect(textOf(handModel.calls[0]?.[0])).toBe(textOf(factoryModel.calls[0]?.[0]));
    expect(textOf(handModel.calls[0]?.[0])).toContain("searchTools");
  });

  it("creates exactly one default executor for nodes built from one params object", () => {
    const params = { model: new ScriptedChatModel([]), tools: [addTool] };
    const model = resolveCodeAct(params, "createModelNode");
    const execute = resolveCodeAct(params, "createExecuteNode");
    expect(execute.executor).toBe(model.executor);
    const nodes = createCodeActNodes({ model: new ScriptedChatModel([]) });
    expect(typeof nodes.model).toBe("function");
    expect(resolveCodeAct({ model: new ScriptedChatModel([]) }).executor).not.toBe(model.executor);
  });

  it("validates hand-wired params like the factory, naming the function", () => {
    expect(() => createExecuteNode({ maxSteps: 0 })).toThrow(/^createExecuteNode: `maxSteps` must be a whole number/);
    expect(() => createRouteNode({ approve: "yes" as never })).toThrow(/^createRouteNode: `approve` must be/);
    expect(() => createModelNode({ model: undefined as never })).toThrow(/createModelNode: `model` is required/);
    expect(() => createCodeActNodes({} as never)).toThrow(/^createCodeActNodes: `model` is required/);
  });
});
