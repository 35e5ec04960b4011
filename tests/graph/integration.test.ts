import { spawnSync } from "node:child_process";
import { HumanMessage } from "@langchain/core/messages";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import type { Run } from "@langchain/core/tracers/base";
import { RunCollectorCallbackHandler } from "@langchain/core/tracers/run_collector";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { createCodeActAgent, createCodeActGraph } from "../../src/graph/create-codeact-graph.js";
import { createExecutor } from "../../src/executors/create-executor.js";
import { isObservation } from "../../src/graph/messages.js";
import { addTool, js, multiplyTool, ScriptedChatModel, textOf } from "./helpers.js";

// Real isolated-vm sandboxes driven by scripted models through the real graph.
const executors: { close(): Promise<void> }[] = [];
function newExecutor(): IsolatedVmExecutor {
  const executor = new IsolatedVmExecutor({ timeoutMs: 10_000 });
  executors.push(executor);
  return executor;
}
afterAll(async () => {
  await Promise.all(executors.map((executor) => executor.close()));
});

const ask = (text: string) => ({ messages: [new HumanMessage(text)] });
const observations = (messages: { additional_kwargs: Record<string, unknown> }[]) =>
  messages.filter((message) => isObservation(message as never)).map((message) => textOf(message as never));

describe("CodeAct graph with the isolated-vm executor", () => {
  // First in the file: the leak was seen on the first run in a process.
  it("does not leak the run's async context, so the next invoke continues the thread", async () => {
    const model = new FakeListChatModel({
      responses: [js("const x = await add({ a: 20, b: 22 });\nx"), "It is 42.", js("x + 1"), "It is 43."],
    });
    const app = createCodeActGraph({ model, executor: newExecutor(), tools: [addTool] }).compile({
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: "context" }, recursionLimit: 20 };
    const first = await app.invoke(ask("20+22?"), config);
    expect(observations(first.messages)).toEqual(["Value: 42"]);
    expect(AsyncLocalStorageProviderSingleton.getRunnableConfig()).toBeUndefined();
    const second = await app.invoke(ask("and plus one?"), config);
    expect(second.messages.map(textOf).slice(0, 4)).toEqual(first.messages.map(textOf));
    expect(observations(second.messages)).toEqual(["Value: 42", "Value: 43"]);
    expect(AsyncLocalStorageProviderSingleton.getRunnableConfig()).toBeUndefined();
  });

  it("composes several tools in one cell with a loop", async () => {
    const code = [
      "let total = 0;",
      "for (const n of [1, 2, 3, 4]) {",
      "  const square = await multiply({ a: n, b: n });",
      "  total = await add({ a: total, b: square });",
      "}",
      'console.log("sum of squares:", total);',
      "total",
    ].join("\n");
    const model = new FakeListChatModel({ responses: [js(code), "The sum of squares is 30."] });
    const app = createCodeActGraph({ model, executor: newExecutor(), tools: [addTool, multiplyTool] }).compile();
    const result = await app.invoke(ask("sum of squares 1..4"), { recursionLimit: 10 });
    expect(observations(result.messages)).toEqual(["Output:\nsum of squares: 30\n\nValue: 30"]);
    expect(textOf(result.messages.at(-1))).toBe("The sum of squares is 30.");
  });

  it("shows the model an error with its traceback, and the fix runs", async () => {
    const model = new ScriptedChatModel([
      js("const nums = [1, 2, 3];\nconsole.log(nums.sum())"),
      js("console.log(nums.reduce((a, b) => a + b, 0))"),
      "The sum is 6.",
    ]);
    const app = createCodeActGraph({ model, executor: newExecutor() }).compile();
    const result = await app.invoke(ask("sum 1,2,3"), { recursionLimit: 20 });
    const [failure, fixed] = observations(result.messages);
    expect(failure).toMatch(/^Error: TypeError: nums\.sum is not a function/);
    expect(failure).toMatch(/Traceback:\n.*\d/);
    // The model's second call saw the failure.
    expect(textOf(model.calls[1]?.at(-1))).toBe(failure);
    expect(fixed).toBe("Output:\n6");
  });

  it("keeps a variable from one step for the next", async () => {
    const model = new FakeListChatModel({
      responses: [js("const base = 40;\nconsole.log('defined')"), js("base + 2"), "42"],
    });
    const app = createCodeActGraph({ model, executor: newExecutor() }).compile();
    const result = await app.invoke(ask("go"), { recursionLimit: 20 });
    expect(observations(result.messages)).toEqual(["Output:\ndefined", "Value: 42"]);
    expect(result.variables).toMatchObject({ base: 40 });
  });

  it("stops after maxSteps executions", async () => {
    const model = new FakeListChatModel({ responses: [js("console.log('again')")] });
    const app = createCodeActGraph({ model, executor: newExecutor(), maxSteps: 3 }).compile();
    const result = await app.invoke(ask("loop"), { recursionLimit: 50 });
    expect(observations(result.messages)).toEqual(["Output:\nagain", "Output:\nagain", "Output:\nagain"]);
    expect(textOf(result.messages.at(-1))).toMatch(/^I stopped after 3 code executions without a final answer/);
  });

  it("restores variables, functions and classes after a restart and says what could not be restored", async () => {
    const checkpointer = new MemorySaver();
    const config = { configurable: { thread_id: "restart" }, recursionLimit: 20 };
    const setUp =
      "const settings = { rate: 3, label: 'x' };\nfunction double(n) { return n * 2 }\n" +
      "class Meter { constructor(v) { this.v = v } scaled() { return double(this.v) * settings.rate } }\n" +
      "const meter = new Meter(5);\nconst next = (() => { let c = 0; return () => ++c })();";
    const before = createCodeActGraph({
      model: new FakeListChatModel({ responses: [js(setUp), "Set."] }),
      executor: newExecutor(),
    }).compile({ checkpointer });
    const first = await before.invoke(ask("set up"), config);
    expect(first.variables).toMatchObject({ settings: { rate: 3, label: "x" }, meter: { v: 5 } });
    expect(first.definitions?.code.map((definition) => definition.name)).toEqual(["double", "Meter"]);
    expect(first.unsavedVariables).toEqual(["next"]);

    // A new process: a new executor, the same checkpointer and thread.
    const after = createCodeActGraph({
      model: new FakeListChatModel({ responses: [js("console.log(double(settings.rate), meter.scaled(), meter instanceof Meter)"), "6."] }),
      executor: newExecutor(),
    }).compile({ checkpointer });
    const second = await after.invoke(ask("use it"), config);
    const restored = observations(second.messages).at(-1) ?? "";
    expect(restored).toMatch(/^Session: .*settings.*double, Meter/);
    expect(restored).toContain("Not restored (only data, top-level functions and classes, and instances of those classes are saved): next.");
    expect(restored).toMatch(/Output:\n6 30 true$/);
  });

  it("traces each cell as a child run with the tool runs inside it", async () => {
    const model = new FakeListChatModel({
      responses: [js("await add({ a: 1, b: 2 }) + await multiply({ a: 2, b: 5 })"), "13"],
    });
    const app = createCodeActGraph({ model, executor: newExecutor(), tools: [addTool, multiplyTool] }).compile();
    const collector = new RunCollectorCallbackHandler();
    await app.invoke(ask("go"), { recursionLimit: 10, callbacks: [collector] });
    const all: Run[] = [];
    const walk = (run: Run): void => {
      all.push(run);
      run.child_runs.forEach(walk);
    };
    // RunCollectorCallbackHandler declares langsmith's Run; the runs are BaseTracer's.
    (collector.tracedRuns as unknown as Run[]).forEach(walk);
    const cells = all.filter((run) => run.name === "execute_code");
    expect(cells).toHaveLength(1);
    const cell = cells[0];
    expect(cell?.inputs).toEqual({ code: "await add({ a: 1, b: 2 }) + await multiply({ a: 2, b: 5 })" });
    expect(cell?.outputs).toMatchObject({ value: "13" });
    expect(cell?.extra?.["metadata"]).toMatchObject({ codeact_executor: "isolated-vm", codeact_language: "javascript" });
    expect(cell?.child_runs.map((run) => `${run.run_type}:${run.name}`)).toEqual(["tool:add", "tool:multiply"]);
    // The cell sits under the execute node.
    expect(all.find((run) => run.id === cell?.parent_run_id)?.name).toBe("execute");
  });

  it("streams stdout live on the custom stream", async () => {
    const model = new FakeListChatModel({
      responses: [js("for (let i = 0; i < 3; i++) console.log('tick ' + i)"), "done"],
    });
    const app = createCodeActGraph({ model, executor: newExecutor() }).compile();
    const chunks: { type: string; chunk: string }[] = [];
    for await (const chunk of await app.stream(ask("tick"), { streamMode: "custom", recursionLimit: 10 })) {
      chunks.push(chunk as { type: string; chunk: string });
    }
    expect(chunks.length).toBeGreaterThan(0);
    expect(chunks.every((chunk) => chunk.type === "codeact_output")).toBe(true);
    expect(chunks.map((chunk) => chunk.chunk).join("")).toBe("tick 0\ntick 1\ntick 2\n");
  });

  it("runs nested as a subgraph node", async () => {
    const model = new FakeListChatModel({
      responses: [js("await multiply({ a: 6, b: 7 })"), "The product is 42."],
    });
    const agent = createCodeActAgent({ model, executor: newExecutor(), tools: [multiplyTool], name: "calc" });
    const parent = new StateGraph(MessagesAnnotation)
      .addNode("calc", agent)
      .addEdge(START, "calc")
      .compile({ checkpointer: new MemorySaver() });
    const result = await parent.invoke(ask("6*7"), { configurable: { thread_id: "nested" } });
    expect(result.messages.map(textOf).slice(2)).toEqual(["Value: 42", "The product is 42."]);
  });

  it("creates the default executor lazily and it runs code", async () => {
    const lazy = createExecutor();
    executors.push(lazy);
    expect(lazy.description).toBeUndefined();
    const result = await lazy.execute({ code: "6 * 7", sessionId: "lazy" });
    expect(result.value).toBe("42");
    expect(lazy.description).toEqual(expect.any(String));
  });

  it("describes a lazy Python executor without starting a server", async () => {
    const python = createExecutor({ language: "python", server: { baseUrl: "http://127.0.0.1:9/" }, options: { timeoutMs: 1234 } });
    executors.push(python);
    expect(await python.describe()).toContain("Python");
    // Nothing was created: the address is never contacted.
    expect(python.description).toBeUndefined();
  });

  it("does not load the native isolated-vm module when the package root is imported", () => {
    const script = [
      "const fs = require('node:fs');",
      "const loaded = () => fs.readFileSync('/proc/self/maps', 'utf8').match(/isolated[-_]vm[^/]*\\.node/) !== null;",
      "import('./src/index.ts').then(async (root) => {",
      "  const before = loaded();",
      "  await import('./src/executors/isolated-vm/index.ts');",
      "  console.log(JSON.stringify({ before, after: loaded(), exports: typeof root.createCodeActAgent }));",
      "});",
    ].join("\n");
    const child = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
      cwd: process.cwd(),
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "--no-node-snapshot" },
      timeout: 60_000,
    });
    expect(child.stderr).not.toMatch(/Error/);
    expect(JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}")).toEqual({
      before: false,
      after: true,
      exports: "function",
    });
  }, 60_000);
});
