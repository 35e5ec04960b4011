import { ChatOpenAI } from "@langchain/openai";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { JupyterExecutor, startLocalJupyter, type LocalJupyter } from "../../src/executors/jupyter/index.js";
import { loadTasks, type M3Task } from "../../bench/m3tooleval/data.js";
import { JsonOracle } from "../../bench/m3tooleval/json-oracle.js";
import { JSON_SYSTEM_PROMPT, runTask } from "../../bench/m3tooleval/runner.js";
import { startReplayServer, type ReplayServer } from "../support/replay-server.js";
import { codeActOracleScript, jsonOracleScript, wireText } from "./helpers.js";

jest.setTimeout(60_000);

const TASK_NAMES = [
  "travel_itinerary_planning/plan_trip_to_0",
  "cryptobotanists_plant_dna_sequencer/find_most_common_nucleotide_and_transcribe",
];

function tasksNamed(names: readonly string[]): M3Task[] {
  return names.map((name) => {
    const task = loadTasks().find((candidate) => candidate.name === name);
    if (!task) throw new Error(`no task ${name}`);
    return task;
  });
}

// Non-streaming: ChatOpenAI's streaming invoke() would try to download tiktoken.
function chatModel(server: ReplayServer): ChatOpenAI {
  return new ChatOpenAI({
    model: "replay-model",
    apiKey: "test",
    temperature: 0,
    maxTokens: 512,
    maxRetries: 0,
    configuration: { baseURL: server.baseUrl },
  });
}

// The real ChatOpenAI client talking HTTP to a scripted OpenAI-compatible server, for each mode.
describe("M3ToolEval runner with ChatOpenAI over HTTP", () => {
  const tasks = tasksNamed(TASK_NAMES);
  let executor: IsolatedVmExecutor;
  let server: ReplayServer | undefined;

  beforeAll(() => {
    executor = new IsolatedVmExecutor({ maxOutputChars: 2000 });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  afterAll(async () => {
    await executor.close();
  });

  it("json: tool calls go out as OpenAI tools and come back as tool messages", async () => {
    const oracles = new Map<string, JsonOracle>();
    for (const task of tasks) oracles.set(task.name, await JsonOracle.record(task, executor));
    server = await startReplayServer({ responses: jsonOracleScript(oracles, tasks) });
    for (const task of tasks) {
      const before = server.requests.length;
      const result = await runTask({ task, mode: "json", model: chatModel(server) });
      const calls = oracles.get(task.name)?.calls ?? [];
      expect(result).toMatchObject({ success: { normalized: true }, turns: calls.length + 1 });
      expect(result.answer).toBe(oracles.get(task.name)?.output);
      const requests = server.requests.slice(before);
      expect(requests).toHaveLength(calls.length + 1);
      const first = requests[0];
      expect(first?.messages[0]).toMatchObject({ role: "system", content: JSON_SYSTEM_PROMPT });
      expect(first?.temperature).toBe(0);
      const declared = (first?.tools ?? []).map((declaration) => (declaration as { function: { name: string } }).function.name);
      expect(declared.sort()).toEqual([...task.tools].sort());
      // The last request carries every tool result as a tool message.
      const toolMessages = requests.at(-1)?.messages.filter((message) => message.role === "tool") ?? [];
      expect(toolMessages).toHaveLength(calls.length);
    }
    const plan = server.requests.find((request) => request.messages.some((message) => message.role === "tool"));
    expect(wireText(plan?.messages.find((message) => message.role === "tool"))).toMatch(/^\[\{'from_location': '"E"'/);
  });

  it("codeact-js: the reference code runs in isolated-vm and the answer comes back", async () => {
    server = await startReplayServer({ responses: codeActOracleScript("javascript", tasks) });
    for (const task of tasks) {
      const result = await runTask({ task, mode: "codeact-js", model: chatModel(server), executor });
      expect(result).toMatchObject({ success: { normalized: true }, turns: 2 });
    }
    expect(server.requests).toHaveLength(2 * tasks.length);
    // CodeAct needs no tool-calling API: no tools are declared, the code is in the text.
    expect(server.requests.every((request) => request.tools === undefined)).toBe(true);
    expect(wireText(server.requests[0]?.messages[0])).toContain("find_flights");
  });

  it("codeact-python: the reference code runs in a Jupyter kernel", async () => {
    let jupyter: LocalJupyter | undefined;
    let python: JupyterExecutor | undefined;
    try {
      jupyter = await startLocalJupyter();
      python = new JupyterExecutor({ baseUrl: jupyter.baseUrl, token: jupyter.token, maxOutputChars: 2000 });
      const [task] = tasks;
      if (!task) throw new Error("no task");
      server = await startReplayServer({ responses: codeActOracleScript("python", tasks) });
      const result = await runTask({ task, mode: "codeact-python", model: chatModel(server), executor: python });
      expect(result).toMatchObject({ success: { normalized: true }, turns: 2, answer: "1050" });
      expect(wireText(server.requests[0]?.messages[0])).toContain("def find_flights(");
    } finally {
      await python?.close();
      await jupyter?.stop();
    }
  });
});
