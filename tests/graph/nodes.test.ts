import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { convertMessagesToCompletionsMessageParams, convertMessagesToResponsesInput } from "@langchain/openai";
import { Command, END } from "@langchain/langgraph";
import { z } from "zod";
import type { ExecuteResult, Executor } from "../../src/executors/types.js";
import {
  createObservation,
  executionDetails,
  formatExecutionResult,
  isObservation,
  observationDetails,
  rejectionObservation,
} from "../../src/graph/messages.js";
import { createExecuteNode } from "../../src/graph/nodes/execute.js";
import { createModelNode } from "../../src/graph/nodes/model.js";
import { createRouteNode, parseApprovalDecision } from "../../src/graph/nodes/route.js";
import { CodeActState, type CodeActStateType, type CodeActStateUpdate } from "../../src/graph/state.js";
import { advanceStepWindow, stepsLeftAfter } from "../../src/graph/step-window.js";
import { parseStructuredAnswer } from "../../src/graph/structured-response.js";
import { FakeExecutor } from "../../src/testing/index.js";
import { addTool, js, ScriptedChatModel, textOf } from "./helpers.js";

/** A full state with defaults, as LangGraph would pass it. */
function stateWith(values: Partial<CodeActStateType>): CodeActStateType {
  const defaults: CodeActStateType = {
    messages: [],
    code: null,
    steps: 0,
    variables: {},
    definitions: null,
    unsavedVariables: [],
    resumeToken: null,
    sessionId: null,
    sessionVersion: null,
    structuredResponse: undefined,
    stepWindow: null,
    toolApproval: null,
    actionMode: "code",
  };
  expect(Object.keys(CodeActState.spec).sort()).toEqual(Object.keys(defaults).sort());
  return { ...defaults, ...values };
}

/** The state after a node's update, as LangGraph's last-value reducers make it. */
function applied(state: CodeActStateType, update: CodeActStateUpdate): CodeActStateType {
  return { ...state, ...(update as Partial<CodeActStateType>) };
}

const result = (partial: Partial<ExecuteResult>): ExecuteResult => ({
  output: "",
  outputs: [],
  durationMs: 1,
  ...partial,
});

describe("model node", () => {
  it("extracts code, resets steps on a user message and keeps them after an observation", async () => {
    const model = new ScriptedChatModel([js("1 + 1"), js("2 + 2")]);
    const node = createModelNode({ model, executor: new FakeExecutor({ results: [] }) });
    const afterUser = await node(stateWith({ messages: [new HumanMessage("go")], steps: 5 }), {});
    expect(afterUser.code).toBe("1 + 1");
    expect(afterUser.steps).toBe(0);
    const observation = createObservation("Value: 2", { kind: "execution" });
    const before = stateWith({ messages: [new HumanMessage("go"), new AIMessage(js("1 + 1")), observation], steps: 1 });
    const afterObservation = await node(before, {});
    expect(afterObservation.code).toBe("2 + 2");
    // Unchanged channels are not written (checkpointers store every write).
    expect(afterObservation).not.toHaveProperty("steps");
    expect(applied(before, afterObservation).steps).toBe(1);
  });

  it("returns null code for a plain answer, and reads python fences for a python executor", async () => {
    const model = new ScriptedChatModel(["Done.", "```python\nprint(1)\n```\n```js\nconsole.log(2)\n```"]);
    const node = createModelNode({ model, executor: new FakeExecutor({ results: [], language: "python" }) });
    const plain = stateWith({ messages: [new HumanMessage("a")], code: "old()" });
    expect((await node(plain, {})).code).toBeNull();
    expect((await node(stateWith({ messages: [new HumanMessage("b")] }), {})).code).toBe("print(1)");
  });

  it("renders the system prompt once, with tools, description and the user's prompt", async () => {
    let descriptionReads = 0;
    const executor: Executor = {
      name: "counting",
      language: "javascript",
      get description() {
        descriptionReads += 1;
        return "Sandbox with no network.";
      },
      execute: async () => result({}),
      close: async () => undefined,
    };
    const model = new ScriptedChatModel(["a", "b"]);
    const node = createModelNode({ model, executor, tools: [addTool], prompt: "Answer in French." });
    await node(stateWith({ messages: [new HumanMessage("x")] }), {});
    await node(stateWith({ messages: [new HumanMessage("y")] }), {});
    expect(descriptionReads).toBe(1);
    const [first, second] = model.calls.map((call) => call[0]);
    expect(first).toBeInstanceOf(SystemMessage);
    expect(textOf(second)).toBe(textOf(first));
    expect(textOf(first)).toContain("add");
    expect(textOf(first)).toContain("Sandbox with no network.");
    expect(textOf(first)).toContain("Answer in French.");
  });
});

describe("route node", () => {
  const route = createRouteNode({ maxSteps: 3 });
  const inGraph = (step: number, recursionLimit = 25) => ({
    metadata: { langgraph_step: step },
    recursionLimit,
  });

  it("sends code to execute and a plain answer to END", async () => {
    const toExecute = await route(stateWith({ code: "x()", messages: [new AIMessage(js("x()"))] }), {});
    expect(toExecute).toBeInstanceOf(Command);
    expect(toExecute.goto).toEqual(["execute"]);
    const toEnd = await route(stateWith({ code: null, messages: [new AIMessage("done")] }), {});
    expect(toEnd.goto).toEqual([END]);
  });

  it("stops when steps reach maxSteps", async () => {
    const command = await route(stateWith({ code: "x()", steps: 3 }), {});
    expect(command.goto).toEqual([END]);
    const update = command.update as { messages: AIMessage[] };
    expect(textOf(update.messages[0])).toContain("stopped after 3 code executions");
  });

  it("stops when one more action would not fit in the recursion limit", async () => {
    // Window starts at step 1; with limit 10 the run must end by step 9.
    const state = (last: number) => stateWith({ code: "x()", stepWindow: { first: 1, last: last - 1 } });
    expect((await route(state(6), inGraph(6, 10))).goto).toEqual(["execute"]);
    expect((await route(state(7), inGraph(7, 10))).goto).toEqual([END]);
  });

  it("validates structured answers", async () => {
    const structured = createRouteNode({ responseFormat: z.object({ n: z.number() }) });
    const ok = await structured(stateWith({ messages: [new AIMessage('{"n": 1}')] }), {});
    expect(ok.goto).toEqual([END]);
    expect(ok.update).toMatchObject({ structuredResponse: { n: 1 } });
    const retry = await structured(stateWith({ messages: [new AIMessage('{"n": "one"}')] }), {});
    expect(retry.goto).toEqual(["model"]);
    const feedback = (retry.update as { messages: HumanMessage[] }).messages[0];
    expect(isObservation(feedback)).toBe(true);
  });

  it("explains invalid approval decisions", () => {
    expect(parseApprovalDecision({ action: "edit", code: "y()" })).toEqual({ action: "edit", code: "y()" });
    expect(() => parseApprovalDecision({ action: "edit" })).toThrow(/code/);
    expect(() => parseApprovalDecision("yes")).toThrow(/Resume with \{ action: "approve" \}/);
  });
});

describe("execute node", () => {
  it("runs state.code with tools and writes the observation and session state", async () => {
    const executor = new FakeExecutor({
      results: [{ output: "3\n", variables: { total: 3 }, unsavedVariables: ["fn"] }],
    });
    const node = createExecuteNode({ executor, tools: [addTool] });
    const update = await node(
      stateWith({ code: "console.log(await add({a: 1, b: 2}))", steps: 2, messages: [] }),
      { configurable: { thread_id: "node-thread" } } as never
    );
    const request = executor.executeCalls[0];
    expect(request?.sessionId).toBe("node-thread");
    expect(await request?.tools?.["add"]?.({ a: 1, b: 2 })).toBe(3);
    expect(update.steps).toBe(3);
    expect(update.variables).toEqual({ total: 3 });
    expect(update.unsavedVariables).toEqual(["fn"]);
    expect(update.sessionId).toBeUndefined();
    expect(textOf((update.messages as HumanMessage[])[0])).toBe("Output:\n3");
  });

  it("writes the variable snapshot, unsaved names and resume token only when they changed", async () => {
    const executor = new FakeExecutor({
      results: [
        // Equal to what state holds, in other objects and another key order.
        { variables: { b: [1, { c: "x" }], a: 1 }, unsavedVariables: ["fn"], resumeToken: "kernel-1" },
        { variables: { a: 2, b: [1, { c: "x" }] }, unsavedVariables: [], resumeToken: "kernel-2" },
        { variables: { a: 1, b: [1, { c: "y" }] } },
      ],
    });
    const node = createExecuteNode({ executor });
    const before = stateWith({
      code: "a",
      variables: { a: 1, b: [1, { c: "x" }] },
      unsavedVariables: ["fn"],
      resumeToken: "kernel-1",
    });
    const config = { configurable: { thread_id: "snapshot-thread" } } as never;
    const same = await node(before, config);
    expect(Object.keys(same).sort()).toEqual(["messages", "sessionVersion", "steps"]);
    expect(applied(before, same).variables).toEqual({ a: 1, b: [1, { c: "x" }] });

    const different = await node(before, config);
    expect(different.variables).toEqual({ a: 2, b: [1, { c: "x" }] });
    expect(different.unsavedVariables).toEqual([]);
    expect(different.resumeToken).toBe("kernel-2");

    // A nested change counts; an executor that reports nothing leaves state as it is.
    const nested = await node(before, config);
    expect(nested.variables).toEqual({ a: 1, b: [1, { c: "y" }] });
    expect(nested).not.toHaveProperty("unsavedVariables");
    expect(nested).not.toHaveProperty("resumeToken");
  });

  it("refuses to run without code", async () => {
    const node = createExecuteNode({ executor: new FakeExecutor({ results: [] }) });
    await expect(node(stateWith({ code: null }), {} as never)).rejects.toThrow(/without a code action/);
  });
});

describe("observations", () => {
  it("formats every part compactly", () => {
    const text = formatExecutionResult(
      result({
        output: "a\nb\n",
        truncated: true,
        value: "[1, 2]",
        outputs: [{ mimeType: "text/html", data: "<b>x</b>", text: "x" }],
        error: { name: "Error", message: "boom", traceback: "Error: boom\n    at f (<cell>:2:9)" },
      })
    );
    expect(text).toBe(
      "Output (truncated):\na\nb\n\nValue: [1, 2]\n\nDisplayed text/html:\nx\n\nError: boom\nTraceback:\n    at f (<cell>:2:9)"
    );
    expect(formatExecutionResult(result({}))).toBe("The code ran without output or value.");
    expect(formatExecutionResult(result({ error: { name: "TimeoutError", message: "over 5000 ms" } }))).toBe(
      "Error: TimeoutError: over 5000 ms"
    );
    // A plain Error is said once, as JavaScript prints it.
    expect(formatExecutionResult(result({ error: { name: "Error", message: "get_price: invalid arguments" } }))).toBe(
      "Error: get_price: invalid arguments"
    );
  });

  it("are marked, and neither the mark nor the details are sent to OpenAI", async () => {
    const observation = createObservation(
      "Value: 2",
      executionDetails(
        result({
          output: "SECRET-OUTPUT\n",
          value: "2",
          error: { name: "Error", message: "m", traceback: "SECRET-TRACEBACK" },
          outputs: [{ mimeType: "image/png", data: "SECRET-IMAGE-DATA" }],
        }),
        { calls: [{ name: "add", args: '{"a":"SECRET-ARGS"}', result: "SECRET-RESULT", durationMs: 1 }], omitted: 3 }
      )
    );
    expect(observationDetails(observation)?.toolCalls).toHaveLength(1);
    expect(isObservation(observation)).toBe(true);
    expect(isObservation(new HumanMessage("Value: 2"))).toBe(false);
    expect(isObservation(rejectionObservation("no"))).toBe(true);
    expect(convertMessagesToCompletionsMessageParams({ messages: [observation], model: "gpt-4o-mini" })).toEqual([
      { role: "user", content: "Value: 2" },
    ]);
    expect(
      convertMessagesToResponsesInput({ messages: [observation], model: "gpt-4o-mini", zdrEnabled: false })
    ).toEqual([{ type: "message", role: "user", content: "Value: 2" }]);
    const payloads = JSON.stringify([
      convertMessagesToCompletionsMessageParams({ messages: [observation], model: "gpt-4o-mini" }),
      convertMessagesToResponsesInput({ messages: [observation], model: "gpt-4o-mini", zdrEnabled: false }),
    ]);
    expect(payloads).not.toMatch(/SECRET|toolCalls|outputs|codeact/);
  });
});

describe("helpers", () => {
  it("tracks the invocation's step window", () => {
    expect(advanceStepWindow(null, 4)).toEqual({ first: 4, last: 4 });
    expect(advanceStepWindow({ first: 4, last: 5 }, 6)).toEqual({ first: 4, last: 6 });
    // A new input costs a step: a gap means a new invocation.
    expect(advanceStepWindow({ first: 4, last: 6 }, 8)).toEqual({ first: 8, last: 8 });
    expect(advanceStepWindow({ first: 4, last: 6 }, 7, true)).toEqual({ first: 7, last: 7 });
    expect(advanceStepWindow({ first: 4, last: 6 }, undefined)).toEqual({ first: 4, last: 6 });
    expect(stepsLeftAfter({ first: 1, last: 2 }, { recursionLimit: 10 })).toBe(7);
    expect(stepsLeftAfter(null, {})).toBe(Number.POSITIVE_INFINITY);
  });

  it("finds JSON in a final answer", () => {
    const schema = z.object({ a: z.number() });
    expect(parseStructuredAnswer('Sure.\n```json\n{"a": 1}\n```', schema)).toEqual({ success: true, value: { a: 1 } });
    expect(parseStructuredAnswer('The result is {"a": 2}.', schema)).toEqual({ success: true, value: { a: 2 } });
    expect(parseStructuredAnswer("nothing here", schema)).toMatchObject({ success: false });
  });
});

describe("model node: the budget of code executions", () => {
  it("warns the model when one code block is left, and when none is", async () => {
    const model = new ScriptedChatModel(["ok", "ok", "ok"]);
    const node = createModelNode({ model, executor: new FakeExecutor({ results: [] }), maxSteps: 3 });
    const observation = new HumanMessage({ content: "Value: 1", additional_kwargs: { codeact: "observation" } });
    const config = {} as never;
    await node(stateWith({ messages: [new HumanMessage("task"), new AIMessage("x"), observation], steps: 1 }), config);
    await node(stateWith({ messages: [new HumanMessage("task"), new AIMessage("x"), observation], steps: 2 }), config);
    await node(stateWith({ messages: [new HumanMessage("task"), new AIMessage("x"), observation], steps: 3 }), config);
    const lastSent = model.calls.map((messages) => textOf(messages.at(-1)));
    expect(lastSent[0]).toBe("Value: 1");
    expect(lastSent[1]).toMatch(/one more code block can run/);
    expect(lastSent[2]).toMatch(/no more code can run/);
  });
});
