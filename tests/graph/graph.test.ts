import { HumanMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { tool } from "@langchain/core/tools";
import {
  Command,
  END,
  MemorySaver,
  MessagesAnnotation,
  START,
  StateGraph,
} from "@langchain/langgraph";
import { z } from "zod";
import { ExecutorUnavailableError } from "../../src/executors/errors.js";
import { DEFAULT_MAX_STEPS } from "../../src/graph/constants.js";
import {
  createCodeActAgent,
  createCodeActGraph,
  defaultRecursionLimit,
} from "../../src/graph/create-codeact-graph.js";
import { isObservation, observationDetails } from "../../src/graph/messages.js";
import { FakeExecutor } from "../../src/testing/index.js";
import { addTool, js, multiplyTool, ScriptedChatModel, textOf } from "./helpers.js";

const ask = (text: string) => ({ messages: [new HumanMessage(text)] });
/** The value of the first interrupt an invoke returned, if any. */
const interruptValue = (result: object): unknown =>
  (result as { __interrupt__?: { value: unknown }[] }).__interrupt__?.[0]?.value;

describe("createCodeActGraph with fakes", () => {
  it("runs the code action, appends the observation and ends on the final answer", async () => {
    const model = new FakeListChatModel({
      responses: [js("console.log(await add({ a: 1, b: 2 }))"), "The sum is 3."],
    });
    const executor = new FakeExecutor({ results: [{ output: "3\n" }] });
    const app = createCodeActGraph({ model, executor, tools: [addTool] }).compile();
    const result = await app.invoke(ask("1+2?"), { recursionLimit: 10 });

    expect(executor.executeCalls).toHaveLength(1);
    expect(executor.executeCalls[0]?.code).toBe("console.log(await add({ a: 1, b: 2 }))");
    expect(Object.keys(executor.executeCalls[0]?.tools ?? {})).toEqual(["add"]);
    expect(result.messages.map((message) => message.getType())).toEqual(["human", "ai", "human", "ai"]);
    const observation = result.messages[2];
    expect(isObservation(observation)).toBe(true);
    expect(textOf(observation)).toBe("Output:\n3");
    expect(textOf(result.messages.at(-1))).toBe("The sum is 3.");
    expect(result.steps).toBe(1);
    expect(result.code).toBeNull();
  });

  it("ends without executing when the reply has no code", async () => {
    const model = new FakeListChatModel({ responses: ["Hello! No code needed."] });
    const executor = new FakeExecutor({ results: [] });
    const app = createCodeActGraph({ model, executor }).compile();
    const result = await app.invoke(ask("hi"), { recursionLimit: 10 });
    expect(executor.executeCalls).toHaveLength(0);
    expect(result.messages).toHaveLength(2);
    expect(textOf(result.messages[1])).toBe("Hello! No code needed.");
  });

  it("extracts code from content-block replies", async () => {
    const model = new ScriptedChatModel([
      [
        { type: "text", text: "Let me compute.\n" },
        { type: "text", text: "```js\nconst x = 6 * 7;\nx\n```" },
      ],
      [{ type: "text", text: "It is 42." }],
    ]);
    const executor = new FakeExecutor({ results: [{ output: "", value: "42" }] });
    const app = createCodeActGraph({ model, executor }).compile();
    const result = await app.invoke(ask("6*7?"), { recursionLimit: 10 });
    expect(executor.executeCalls[0]?.code).toBe("const x = 6 * 7;\nx");
    expect(textOf(result.messages[2])).toBe("Value: 42");
    expect(textOf(result.messages.at(-1))).toBe("It is 42.");
  });

  it("sends the system prompt first and the observation back to the model", async () => {
    const model = new ScriptedChatModel([js("1 + 1"), "Two."]);
    const executor = new FakeExecutor({ results: [{ output: "", value: "2" }] });
    const app = createCodeActGraph({ model, executor, tools: [addTool], prompt: "Be brief." }).compile();
    await app.invoke(ask("1+1?"), { recursionLimit: 10 });
    expect(model.calls).toHaveLength(2);
    const second = model.calls[1] ?? [];
    expect(second[0]?.getType()).toBe("system");
    expect(textOf(second[0])).toContain("Be brief.");
    expect(textOf(second[0])).toBe(textOf(model.calls[0]?.[0]));
    expect(second.map((message) => message.getType())).toEqual(["system", "human", "ai", "human"]);
    expect(textOf(second[3])).toBe("Value: 2");
  });

  it("shows errors with their traceback in the observation", async () => {
    const model = new FakeListChatModel({ responses: [js("x()"), "Fixed nothing."] });
    const executor = new FakeExecutor({
      results: [
        {
          output: "before\n",
          error: {
            name: "TypeError",
            message: "x is not a function",
            traceback: "TypeError: x is not a function\n    at <cell>:1:1",
          },
        },
      ],
    });
    const app = createCodeActGraph({ model, executor }).compile();
    const result = await app.invoke(ask("go"), { recursionLimit: 10 });
    const observation = result.messages[2];
    expect(textOf(observation)).toBe(
      "Output:\nbefore\n\nError: TypeError: x is not a function\nTraceback:\n    at <cell>:1:1"
    );
    expect(observationDetails(observation)).toEqual({
      kind: "execution",
      error: {
        name: "TypeError",
        message: "x is not a function",
        traceback: "TypeError: x is not a function\n    at <cell>:1:1",
      },
      output: "before\n",
      truncated: false,
      durationMs: 0,
      outputs: [],
      toolCalls: [],
    });
  });

  it("stops gracefully after maxSteps code executions, naming the last error", async () => {
    const model = new FakeListChatModel({
      responses: [js("a()"), js("b()"), js("c()"), "never reached"],
    });
    const executor = new FakeExecutor({
      results: [
        { error: { name: "ReferenceError", message: "a is not defined" } },
        { error: { name: "ReferenceError", message: "b is not defined" } },
      ],
    });
    const app = createCodeActGraph({ model, executor, maxSteps: 2 }).compile();
    const result = await app.invoke(ask("go"), { recursionLimit: 50 });
    expect(executor.executeCalls.map((call) => call.code)).toEqual(["a()", "b()"]);
    const last = result.messages.at(-1);
    expect(last?.getType()).toBe("ai");
    expect(textOf(last)).toMatch(/stopped after 2 code executions without a final answer/);
    expect(textOf(last)).toContain("limit is 2 code executions per turn");
    expect(textOf(last)).toContain("ReferenceError: b is not defined");
  });

  it("ends gracefully before the recursion limit instead of throwing", async () => {
    const model = new FakeListChatModel({ responses: [js("loop()")] });
    const executor = new FakeExecutor({ results: () => ({ output: "again\n" }) });
    const app = createCodeActGraph({ model, executor }).compile();
    const result = await app.invoke(ask("go"), { recursionLimit: 9 });
    // LangGraph fails a run still going after superstep limit - 1 = 8:
    // model 1, route 2, execute 3, model 4, route 5, execute 6, model 7, route 8 (END).
    expect(executor.executeCalls).toHaveLength(2);
    expect(textOf(result.messages.at(-1))).toContain("recursion limit of 9");
  });

  it("keeps the recursion guard right on later turns of a checkpointed thread", async () => {
    const model = new FakeListChatModel({ responses: [js("loop()")] });
    const executor = new FakeExecutor({ results: () => ({ output: "again\n" }) });
    const app = createCodeActGraph({ model, executor }).compile({ checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "guard" }, recursionLimit: 9 };
    for (let turn = 0; turn < 3; turn += 1) {
      const result = await app.invoke(ask(`turn ${turn}`), config);
      expect(textOf(result.messages.at(-1))).toContain("recursion limit of 9");
      expect(result.steps).toBe(2);
    }
    expect(executor.executeCalls).toHaveLength(6);
  });

  it("resets the step count on each user turn", async () => {
    const model = new FakeListChatModel({
      responses: [js("one()"), "first answer", js("two()"), "second answer"],
    });
    const executor = new FakeExecutor({ results: { output: "ok" } });
    const app = createCodeActGraph({ model, executor, maxSteps: 1 }).compile({
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: "turns" }, recursionLimit: 20 };
    await app.invoke(ask("first"), config);
    const second = await app.invoke(ask("second"), config);
    expect(executor.executeCalls.map((call) => call.code)).toEqual(["one()", "two()"]);
    expect(textOf(second.messages.at(-1))).toBe("second answer");
    expect(second.steps).toBe(1);
    expect(second.messages).toHaveLength(8);
  });

  it("keys the session by thread_id and passes variables and resume token back", async () => {
    const model = new FakeListChatModel({ responses: [js("const a = 1"), js("a + 1"), "done"] });
    const executor = new FakeExecutor({
      results: [
        { output: "", variables: { a: 1 }, unsavedVariables: ["f"], resumeToken: "kernel-7" },
        { output: "", value: "2", variables: { a: 1 } },
      ],
    });
    const app = createCodeActGraph({ model, executor }).compile({ checkpointer: new MemorySaver() });
    const result = await app.invoke(ask("go"), { configurable: { thread_id: "t-1" }, recursionLimit: 20 });
    const [first, second] = executor.executeCalls;
    expect(first?.sessionId).toBe("t-1");
    expect(first?.variables).toBeUndefined();
    expect(second?.sessionId).toBe("t-1");
    expect(second?.variables).toEqual({ a: 1 });
    expect(second?.resumeToken).toBe("kernel-7");
    expect(result.variables).toEqual({ a: 1 });
    expect(result.unsavedVariables).toEqual(["f"]);
    expect(result.resumeToken).toBe("kernel-7");
  });

  it("makes a session id when there is no thread_id and keeps it in state", async () => {
    const model = new FakeListChatModel({ responses: [js("1"), js("2"), "done"] });
    const executor = new FakeExecutor({ results: { output: "" } });
    const app = createCodeActGraph({ model, executor }).compile();
    const result = await app.invoke(ask("go"), { recursionLimit: 20 });
    const [first, second] = executor.executeCalls;
    expect(first?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.sessionId).toBe(first?.sessionId);
    expect(result.sessionId).toBe(first?.sessionId);
  });

  it("tells the model which variables a restored session lost", async () => {
    const model = new FakeListChatModel({ responses: [js("a"), "done"] });
    const executor = new FakeExecutor({
      results: { output: "", value: "1", sessionNotice: "The session was restarted; restored a." },
    });
    const app = createCodeActGraph({ model, executor }).compile({ checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "lost" }, recursionLimit: 20 };
    await app.updateState(config, { variables: { a: 1 }, unsavedVariables: ["helper", "Thing"] });
    const result = await app.invoke(ask("go"), config);
    expect(textOf(result.messages.at(-2))).toBe(
      "Session: The session was restarted; restored a.\n\n" +
        "Not restored (only data, top-level functions and classes, and instances of those classes are saved): helper, Thing. Define them again if you need them.\n\n" +
        "Value: 1"
    );
  });

  it("streams live output on the custom stream", async () => {
    const model = new FakeListChatModel({ responses: [js("print()"), "done"] });
    const executor = new FakeExecutor({
      // The fake reports each result's output through onOutput.
      results: [{ output: "line 1\n" }],
    });
    const app = createCodeActGraph({ model, executor }).compile();
    const chunks: unknown[] = [];
    for await (const chunk of await app.stream(ask("go"), { streamMode: "custom", recursionLimit: 10 })) {
      chunks.push(chunk);
    }
    expect(chunks).toEqual([{ type: "codeact_output", chunk: "line 1\n" }]);
  });

  it("sends images as image blocks only when includeImagesInObservation is set", async () => {
    const image = { mimeType: "image/png", data: "iVBORw0KGgo=", text: "<Figure>" };
    for (const includeImagesInObservation of [false, true]) {
      const model = new FakeListChatModel({ responses: [js("plot()"), "done"] });
      const executor = new FakeExecutor({ results: { output: "", outputs: [image] } });
      const app = createCodeActGraph({ model, executor, includeImagesInObservation }).compile();
      const result = await app.invoke(ask("plot"), { recursionLimit: 10 });
      const content = result.messages[2]?.content;
      if (includeImagesInObservation) {
        expect(content).toEqual([
          { type: "text", text: "[image/png displayed: <Figure>]" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        ]);
      } else {
        expect(content).toBe("[image/png displayed: <Figure>]");
      }
    }
  });

  it("lets executor infrastructure errors fail the run, and the thread resumes later", async () => {
    let down = true;
    const model = new FakeListChatModel({ responses: [js("work()"), "done"] });
    const executor = new FakeExecutor({
      results: () => {
        if (down) throw new ExecutorUnavailableError("server unreachable");
        return { output: "worked" };
      },
    });
    const app = createCodeActGraph({ model, executor }).compile({ checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "infra" }, recursionLimit: 10 };
    await expect(app.invoke(ask("go"), config)).rejects.toMatchObject({ code: "EXECUTOR_UNAVAILABLE" });
    const saved = await app.getState(config);
    expect(saved.values.messages).toHaveLength(2);
    expect(saved.next).toEqual(["execute"]);
    down = false;
    const result = await app.invoke(null, config);
    expect(textOf(result.messages[2])).toBe("Output:\nworked");
    expect(textOf(result.messages.at(-1))).toBe("done");
  });
});

describe("approval", () => {
  const setup = (replies: string[], approve: boolean | ((code: string) => boolean) = true) => {
    const model = new FakeListChatModel({ responses: replies });
    const executor = new FakeExecutor({ results: (request) => ({ output: `ran ${request.code}` }) });
    const app = createCodeActGraph({ model, executor, approve }).compile({ checkpointer: new MemorySaver() });
    return { app, executor };
  };
  const config = (thread: string) => ({ configurable: { thread_id: thread }, recursionLimit: 20 });

  it("interrupts with the code, and runs it when approved", async () => {
    const { app, executor } = setup([js("rm()"), "done"]);
    const first = await app.invoke(ask("go"), config("approve"));
    expect(interruptValue(first)).toEqual({ type: "codeact_approval", code: "rm()", language: "javascript" });
    expect(executor.executeCalls).toHaveLength(0);
    const result = await app.invoke(new Command({ resume: { action: "approve" } }), config("approve"));
    expect(executor.executeCalls.map((call) => call.code)).toEqual(["rm()"]);
    expect(textOf(result.messages.at(-1))).toBe("done");
  });

  it("runs the edited code and tells the model", async () => {
    const { app, executor } = setup([js("rm()"), "done"]);
    await app.invoke(ask("go"), config("edit"));
    const result = await app.invoke(
      new Command({ resume: { action: "edit", code: "ls()" } }),
      config("edit")
    );
    expect(executor.executeCalls.map((call) => call.code)).toEqual(["ls()"]);
    expect(textOf(result.messages[2])).toBe(
      "The user edited your code before it ran. This is what ran:\n```javascript\nls()\n```\n\nOutput:\nran ls()"
    );
  });

  it("sends a rejection back to the model without running the code", async () => {
    const { app, executor } = setup([js("rm()"), "OK, I will not delete anything."]);
    await app.invoke(ask("go"), config("reject"));
    const result = await app.invoke(
      new Command({ resume: { action: "reject", reason: "do not delete files" } }),
      config("reject")
    );
    expect(executor.executeCalls).toHaveLength(0);
    const rejection = result.messages[2];
    expect(isObservation(rejection)).toBe(true);
    expect(textOf(rejection)).toContain("The user rejected your code; it did not run. Reason: do not delete files");
    expect(textOf(result.messages.at(-1))).toBe("OK, I will not delete anything.");
  });

  it("answers an invalid resume value with a new interrupt that explains it, then accepts a valid one", async () => {
    const { app, executor } = setup([js("rm()"), "done"]);
    await app.invoke(ask("go"), config("invalid"));
    const retry = await app.invoke(new Command({ resume: { action: "maybe" } }), config("invalid"));
    expect(executor.executeCalls).toHaveLength(0);
    expect(interruptValue(retry)).toMatchObject({ type: "codeact_approval", code: "rm()" });
    expect((interruptValue(retry) as { error: string }).error).toMatch(
      /^Invalid resume value for a CodeAct approval \(action: .*\)\. Resume with \{ action: "approve" \}.*got \{"action":"maybe"\}/
    );
    const result = await app.invoke(new Command({ resume: { action: "approve" } }), config("invalid"));
    expect(executor.executeCalls).toHaveLength(1);
    expect(textOf(result.messages.at(-1))).toBe("done");
  });

  it("asks only for the code the predicate selects", async () => {
    const { app, executor } = setup([js("read()"), js("deleteAll()"), "done"], (code) => code.includes("delete"));
    const first = await app.invoke(ask("go"), config("predicate"));
    expect(executor.executeCalls.map((call) => call.code)).toEqual(["read()"]);
    expect(interruptValue(first)).toMatchObject({ code: "deleteAll()" });
  });
});

describe("responseFormat", () => {
  const schema = z.object({ answer: z.number() });

  it("validates a fenced JSON answer into structuredResponse", async () => {
    const model = new FakeListChatModel({ responses: ["Here:\n```json\n{\"answer\": 42}\n```"] });
    const app = createCodeActGraph({ model, executor: new FakeExecutor({ results: [] }), responseFormat: schema }).compile();
    const result = await app.invoke(ask("?"), { recursionLimit: 10 });
    expect(result.structuredResponse).toEqual({ answer: 42 });
    expect(result.messages).toHaveLength(2);
  });

  it("sends an invalid answer back with the validation error, then accepts the fix", async () => {
    const model = new FakeListChatModel({
      responses: ["{\"answer\": \"forty-two\"}", "The answer is 42.", "{\"answer\": 42}"],
    });
    const app = createCodeActGraph({ model, executor: new FakeExecutor({ results: [] }), responseFormat: schema }).compile();
    const result = await app.invoke(ask("?"), { recursionLimit: 20 });
    expect(result.structuredResponse).toEqual({ answer: 42 });
    const feedback = result.messages.filter((message) => observationDetails(message)?.kind === "format_error");
    expect(feedback).toHaveLength(2);
    expect(textOf(feedback[0])).toMatch(/answer: .*expected number/i);
    expect(textOf(feedback[1])).toContain("No JSON was found");
  });

  it("gives up after a few corrections with a message", async () => {
    const model = new FakeListChatModel({ responses: ["no json"] });
    const app = createCodeActGraph({ model, executor: new FakeExecutor({ results: [] }), responseFormat: schema }).compile();
    const result = await app.invoke(ask("?"), { recursionLimit: 50 });
    expect(result.structuredResponse).toBeUndefined();
    expect(textOf(result.messages.at(-1))).toContain("did not match the required format after 3 corrections");
  });
});

describe("params validation", () => {
  const model = new FakeListChatModel({ responses: ["hi"] });
  it("requires a model", () => {
    expect(() => createCodeActGraph({} as never)).toThrow(/`model` is required/);
  });
  it("rejects maxSteps below 1", () => {
    expect(() => createCodeActGraph({ model, maxSteps: 0 })).toThrow(/maxSteps.*at least 1, got 0/);
    expect(() => createCodeActGraph({ model, maxSteps: 1.5 })).toThrow(/maxSteps/);
  });
  it("rejects tools whose names collide once sanitised", () => {
    const make = (name: string) => tool(async () => "x", { name, description: "d", schema: z.object({}) });
    expect(() =>
      createCodeActGraph({ model, tools: [make("web-search"), make("web_search")] })
    ).toThrow(/"web-search", "web_search" → web_search/);
  });
  it("rejects a non-zod responseFormat and a bad executor", () => {
    expect(() => createCodeActGraph({ model, responseFormat: {} as never })).toThrow(/zod schema/);
    expect(() => createCodeActGraph({ model, executor: {} as never })).toThrow(/implement Executor/);
  });
});

describe("createCodeActAgent", () => {
  it("is named, carries a recursion limit for maxSteps, and runs them all", async () => {
    const maxSteps = 10;
    const model = new FakeListChatModel({ responses: [js("more()")] });
    const executor = new FakeExecutor({ results: () => ({ output: "" }) });
    const agent = createCodeActAgent({ model, executor, maxSteps, description: "does maths" });
    expect(agent.name).toBe("codeact_agent");
    expect(agent.description).toBe("does maths");
    expect(agent.config?.recursionLimit).toBe(defaultRecursionLimit(maxSteps));
    expect(defaultRecursionLimit(DEFAULT_MAX_STEPS)).toBeGreaterThan(3 * DEFAULT_MAX_STEPS + 2);
    const result = await agent.invoke(ask("go"));
    expect(executor.executeCalls).toHaveLength(maxSteps);
    expect(textOf(result.messages.at(-1))).toContain("limit is 10 code executions per turn");
  });

  it("draws the route's destinations as edges for Studio", () => {
    const agent = createCodeActAgent({
      model: new FakeListChatModel({ responses: ["hi"] }),
      executor: new FakeExecutor({ results: [] }),
    });
    const edges = agent
      .getGraph()
      .edges.map((edge) => `${edge.source}->${edge.target}${edge.conditional ? "?" : ""}`)
      .sort();
    expect(edges).toEqual([
      "__start__->model",
      "execute->model",
      "model->__end__?",
      "model->route?",
      "route->__end__?",
      "route->execute?",
      "route->model?",
    ]);
  });

  it("nests as a subgraph node in another graph", async () => {
    const model = new FakeListChatModel({
      responses: [js("await multiply({ a: 6, b: 7 })"), "The product is 42."],
    });
    const executor = new FakeExecutor({ results: [{ output: "", value: "42" }] });
    const agent = createCodeActAgent({ model, executor, tools: [addTool, multiplyTool], name: "calculator" });
    const parent = new StateGraph(MessagesAnnotation)
      .addNode("calculator", agent)
      .addNode("after", () => ({ messages: [new HumanMessage("thanks")] }))
      .addEdge(START, "calculator")
      .addEdge("calculator", "after")
      .addEdge("after", END)
      .compile({ checkpointer: new MemorySaver() });
    const result = await parent.invoke(ask("6*7?"), { configurable: { thread_id: "parent" } });
    // Scoped by the parent node, so two nested agents keep separate sessions.
    expect(executor.executeCalls[0]?.sessionId).toBe("parent/calculator");
    expect(result.messages.map(textOf)).toEqual([
      "6*7?",
      js("await multiply({ a: 6, b: 7 })"),
      "Value: 42",
      "The product is 42.",
      "thanks",
    ]);
  });
});
