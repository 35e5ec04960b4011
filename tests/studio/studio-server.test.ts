/**
 * The Studio graphs through the real LangGraph dev server: assistants, graph
 * structure, per-assistant settings, live stdout streaming (also from
 * subgraphs), an approval interrupt resumed with an edit, thread state.
 * The model is the replay server, scripted by what each request contains.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import {
  startReplayServer,
  type ChatRequestBody,
  type ChatRequestMessage,
  type ReplayReply,
  type ReplayServer,
} from "../support/replay-server.js";
import { startDevServer, type DevServer } from "./dev-server.js";

jest.setTimeout(180_000);

const text = (message: ChatRequestMessage | undefined): string =>
  typeof message?.content === "string"
    ? message.content
    : (message?.content ?? []).map((block) => block.text ?? "").join("");

/** The user-role messages (task and observations) of a request. */
const userTexts = (body: ChatRequestBody): string[] =>
  body.messages.filter((message) => message.role === "user").map(text);

const fence = (language: string, code: string) => "```" + language + "\n" + code + "\n```";

// Busy-waits: the sandbox has no timers, and a blocking wait shows that
// output leaves the sandbox while the cell is still running.
const STREAM_CODE = [
  "const wait = (ms) => { const end = Date.now() + ms; while (Date.now() < end) {} };",
  'for (let i = 0; i < 3; i++) { console.log("tick " + i); wait(700); }',
].join("\n");

/** Replies by scenario: the task's keyword, and whether the observation came back. */
function reply(body: ChatRequestBody): string | ReplayReply {
  const users = userTexts(body);
  const task = users[0] ?? "";
  const seen = (marker: string) => users.some((content) => content.includes(marker));
  if ((body.tools?.length ?? 0) > 0) {
    // The team lead (tool calling): delegate once, then answer.
    const delegated = body.messages.some((message) => (message.tool_calls?.length ?? 0) > 0);
    return delegated
      ? "The analyst counted three ticks."
      : { toolCalls: [{ name: "transfer_to_js_analyst", arguments: {} }] };
  }
  if (task.includes("STREAM") || task.includes("TEAM")) {
    return seen("tick 2") ? "Counted to three." : { content: fence("javascript", STREAM_CODE), chunkChars: 4 };
  }
  if (task.includes("APPROVE")) {
    return seen("edited 42")
      ? "The edited code printed edited 42."
      : fence("javascript", 'console.log("original " + 1)');
  }
  if (task.includes("GATED")) {
    if (seen("ToolRejectedError")) return "The second conversion was refused.";
    return fence(
      "javascript",
      [
        'const first = await convert_currency({ amount: 10, from: "EUR", to: "USD" });',
        "let second;",
        'try { second = await convert_currency({ amount: 99, from: "EUR", to: "GBP" }); } catch (error) { second = error.name + ": " + error.message; }',
        'console.log("first", JSON.stringify(first), "second", second);',
      ].join("\n")
    );
  }
  if (task.includes("STRUCTURED")) {
    if (!seen("temp=21")) return fence("javascript", 'console.log("city=Paris temp=" + (20 + 1))');
    // First a wrong shape; after the validation error comes back, the right one.
    return seen("does not match the schema")
      ? fence("json", JSON.stringify({ city: "Paris", temperatureC: 21 }))
      : fence("json", JSON.stringify({ city: "Paris" }));
  }
  // One thread, two turns: the later task decides.
  if (seen("RESTART-USE")) {
    return seen("still 7") ? "Still there." : fence("javascript", "console.log('still ' + box.open(), box instanceof Box)");
  }
  if (task.includes("RESTART-DEFINE")) {
    return seen("defined 7")
      ? "Defined."
      : fence("javascript", "function fee(n) { return n + 2 }\nclass Box { constructor(v) { this.v = v } open() { return fee(this.v) } }\nconst box = new Box(5);\nconsole.log('defined ' + box.open())");
  }
  if (task.includes("MCP-SHOP")) {
    return seen("price 30")
      ? "It costs 30 euros."
      : fence("javascript", 'const item = await shop__lookup({ id: "xyz" });\nconsole.log("price " + item.price, typeof item)');
  }
  if (task.includes("PYTHON")) {
    return seen("py-42") ? "Python says py-42." : fence("python", 'import os\nprint(f"py-{6*7}", os.getcwd())');
  }
  return "I do not know this scenario.";
}

let replay: ReplayServer;
let server: DevServer;
let client: Client;

beforeAll(async () => {
  replay = await startReplayServer({ responses: Array.from({ length: 500 }, () => reply) });
  server = await startDevServer({ OPENAI_BASE_URL: replay.baseUrl, OPENAI_API_KEY: "test-key" });
  client = new Client({ apiUrl: server.url });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await replay?.close();
}, 60_000);

const assistantFor = async (graphId: string) => {
  const [assistant] = await client.assistants.search({ graphId, metadata: { created_by: "system" } });
  if (assistant === undefined) throw new Error(`no assistant for ${graphId}\n${server.log()}`);
  return assistant;
};

it("starts like a success: no error text, no dependency version warning", () => {
  expect(server.log()).toMatch(/Server running at/);
  expect(server.log()).not.toMatch(/not up to date|npm error|EUSAGE|does not satisfy/i);
});

it("serves the three graphs as assistants", async () => {
  const assistants = await client.assistants.search({ limit: 50 });
  expect(new Set(assistants.map((assistant) => assistant.graph_id))).toEqual(
    new Set(["codeact_js", "codeact_python", "team"])
  );
});

it("shows each agent's model, execute and route nodes in the team graph (xray)", async () => {
  const team = await assistantFor("team");
  const drawn = await client.assistants.getGraph(team.assistant_id, { xray: true });
  const ids = drawn.nodes.map((node) => String(node.id));
  for (const agent of ["js_analyst", "python_analyst"]) {
    for (const node of ["model", "execute", "route"]) expect(ids).toContain(`${agent}:${node}`);
  }
  expect(ids.some((id) => id.startsWith("lead:"))).toBe(true);
  const single = await client.assistants.getGraph((await assistantFor("codeact_js")).assistant_id);
  expect(single.nodes.map((node) => String(node.id))).toEqual(
    expect.arrayContaining(["model", "execute", "route"])
  );
});

it("declares the agent settings as the assistants' config schema", async () => {
  const schemas = await client.assistants.getSchemas((await assistantFor("codeact_js")).assistant_id);
  const properties = (schemas.config_schema as { properties?: Record<string, unknown> } | null)?.properties ?? {};
  expect(Object.keys(properties)).toEqual(
    expect.arrayContaining(["model", "baseUrl", "maxSteps", "timeoutMs", "memoryLimitMb", "approve", "approveToolCalls", "responseSchema"])
  );
  expect(Object.keys((schemas.input_schema as { properties?: object }).properties ?? {})).toContain("messages");
});

it("streams a cell's stdout live, before the cell ends", async () => {
  const assistant = await assistantFor("codeact_js");
  const thread = await client.threads.create();
  const events: { event: string; data: unknown; at: number }[] = [];
  for await (const chunk of client.runs.stream(thread.thread_id, assistant.assistant_id, {
    input: { messages: [{ role: "user", content: "STREAM: count to three" }] },
    streamMode: ["custom", "updates", "messages-tuple"],
  })) {
    events.push({ event: chunk.event, data: chunk.data, at: Date.now() });
  }
  const outputs = events.filter(
    (event) => event.event === "custom" && JSON.stringify(event.data).includes("tick")
  );
  expect(outputs.map((event) => (event.data as { chunk: string }).chunk).join("")).toContain("tick 2");
  const executeDone = events.findIndex(
    (event) => event.event === "updates" && Object.keys(event.data as object).includes("execute")
  );
  const firstTick = events.findIndex((event) => JSON.stringify(event.data).includes("tick 0"));
  expect(firstTick).toBeGreaterThanOrEqual(0);
  expect(executeDone).toBeGreaterThan(firstTick);
  // The cell busy-waits ~2.1 s after "tick 0": the chunk arrived well before the cell ended.
  expect(events[executeDone]!.at - events[firstTick]!.at).toBeGreaterThan(1000);
  // Model tokens arrive as message chunks.
  expect(events.filter((event) => event.event === "messages").length).toBeGreaterThan(3);
  const state = await client.threads.getState<{ messages: { type: string; content: unknown }[] }>(thread.thread_id);
  const contents = state.values.messages.map((message) => `${message.type}: ${JSON.stringify(message.content)}`);
  expect(contents[0]).toContain("STREAM: count to three");
  expect(contents.some((content) => content.startsWith("ai:") && content.includes("console.log"))).toBe(true);
  expect(contents.some((content) => content.includes("tick 2"))).toBe(true);
  expect(contents.at(-1)).toContain("Counted to three.");
});

it("pauses for approval and runs the code a human edited, resumed through the SDK", async () => {
  const assistant = await client.assistants.create({
    graphId: "codeact_js",
    name: "approving",
    config: { configurable: { approve: true, model: "approval-model" } },
  });
  const thread = await client.threads.create();
  await client.runs.wait(thread.thread_id, assistant.assistant_id, {
    input: { messages: [{ role: "user", content: "APPROVE: print something" }] },
  });
  const paused = await client.threads.getState<{ code: string | null }>(thread.thread_id);
  expect(paused.next).toEqual(["route"]);
  const interrupts = paused.tasks.flatMap((task) => task.interrupts);
  expect(interrupts[0]?.value).toMatchObject({ type: "codeact_approval", language: "javascript" });
  expect((interrupts[0]?.value as { code: string }).code).toContain("original");

  const edited = 'console.log("edited " + 6 * 7)';
  await client.runs.wait(thread.thread_id, assistant.assistant_id, {
    command: { resume: { action: "edit", code: edited } },
  });
  const done = await client.threads.getState<{ messages: { type: string; content: unknown }[]; code: string }>(
    thread.thread_id
  );
  expect(done.next).toEqual([]);
  // The final answer clears `code`; the checkpoint that ran the edit holds it.
  expect(paused.values).toMatchObject({ code: 'console.log("original " + 1)' });
  const history = await client.threads.getHistory<{ code: string | null }>(thread.thread_id, { limit: 50 });
  expect(history.some((checkpoint) => checkpoint.values.code === edited)).toBe(true);
  const contents = done.values.messages.map((message) => JSON.stringify(message.content));
  expect(contents.some((content) => content.includes("edited 42"))).toBe(true);
  expect(contents.some((content) => content.includes("original 1"))).toBe(false);
  expect(contents.at(-1)).toContain("The edited code printed edited 42.");
  // The per-assistant model setting reached the model endpoint.
  expect(replay.requests.some((request) => request.model === "approval-model")).toBe(true);
  await client.assistants.delete(assistant.assistant_id);
});

it("pauses at each gated tool call inside the code; approve with edited arguments, then reject, through the SDK", async () => {
  const assistant = await client.assistants.create({
    graphId: "codeact_js",
    name: "gated",
    config: { configurable: { approveToolCalls: ["convert_currency"] } },
  });
  const thread = await client.threads.create();
  await client.runs.wait(thread.thread_id, assistant.assistant_id, {
    input: { messages: [{ role: "user", content: "GATED: convert twice" }] },
  });
  const first = await client.threads.getState(thread.thread_id);
  expect(first.next).toEqual(["route"]);
  const asked = first.tasks.flatMap((task) => task.interrupts).map((interrupt) => interrupt.value);
  expect(asked).toEqual([
    expect.objectContaining({ type: "codeact_tool_approval", tool: "convert_currency", args: { amount: 10, from: "EUR", to: "USD" }, call: 0 }),
  ]);
  await client.runs.wait(thread.thread_id, assistant.assistant_id, {
    command: { resume: { action: "edit", args: { amount: 20, from: "EUR", to: "USD" } } },
  });
  const second = await client.threads.getState(thread.thread_id);
  const askedAgain = second.tasks.flatMap((task) => task.interrupts).map((interrupt) => interrupt.value);
  expect(askedAgain).toEqual([expect.objectContaining({ tool: "convert_currency", args: { amount: 99, from: "EUR", to: "GBP" }, call: 1 })]);
  await client.runs.wait(thread.thread_id, assistant.assistant_id, {
    command: { resume: { action: "reject", reason: "too much" } },
  });
  const done = await client.threads.getState<{ messages: { type: string; content: unknown }[]; toolApproval: unknown }>(thread.thread_id);
  expect(done.next).toEqual([]);
  expect(done.values.toolApproval).toBeNull();
  const contents = done.values.messages.map((message) => JSON.stringify(message.content));
  const observation = contents.find((content) => content.includes("first ") && !content.includes("```")) ?? "";
  // The edited amount ran (20 EUR), the rejected call threw in the code.
  expect(observation).toContain("first 21.6 second");
  expect(observation).toContain("second ToolRejectedError: convert_currency: the user rejected this call: too much.");
  expect(contents.at(-1)).toContain("The second conversion was refused.");
  await client.assistants.delete(assistant.assistant_id);
});

it("ends with a structured answer from the assistant's responseSchema, after a correction", async () => {
  const responseSchema = {
    type: "object",
    properties: { city: { type: "string" }, temperatureC: { type: "number" } },
    required: ["city", "temperatureC"],
  };
  const assistant = await client.assistants.create({
    graphId: "codeact_js",
    name: "structured",
    config: { configurable: { responseSchema, model: "structured-model" } },
  });
  const thread = await client.threads.create();
  const result = (await client.runs.wait(thread.thread_id, assistant.assistant_id, {
    input: { messages: [{ role: "user", content: "STRUCTURED: weather in Paris" }] },
  })) as { structuredResponse?: unknown; messages: { type: string; content: unknown }[] };
  expect(result.structuredResponse).toEqual({ city: "Paris", temperatureC: 21 });
  const requests = replay.requests.filter((request) => request.model === "structured-model");
  // The schema reached the prompt; the wrong answer was sent back with the problem.
  expect(JSON.stringify(requests[0]?.messages[0]?.content)).toContain("temperatureC");
  expect(requests).toHaveLength(3);
  expect(userTexts(requests[2]!).at(-1)).toMatch(/does not match the schema: temperatureC/);
  const state = await client.threads.getState<{ structuredResponse?: unknown }>(thread.thread_id);
  expect(state.values.structuredResponse).toEqual({ city: "Paris", temperatureC: 21 });
  await client.assistants.delete(assistant.assistant_id);
});

it("runs Python on a lazily started local Jupyter server, in the sandbox", async () => {
  const assistant = await assistantFor("codeact_python");
  const thread = await client.threads.create();
  const result = (await client.runs.wait(thread.thread_id, assistant.assistant_id, {
    input: { messages: [{ role: "user", content: "PYTHON: six times seven" }] },
  })) as { messages: { content: unknown }[] };
  const contents = result.messages.map((message) => JSON.stringify(message.content));
  // The kernel runs in the bubblewrap sandbox: its working directory is the scratch directory.
  expect(contents.some((content) => content.includes("py-42 /scratch"))).toBe(true);
  expect(contents.at(-1)).toContain("Python says py-42.");
});

it("streams subgraph updates and stdout from a team member (subgraphs: true)", async () => {
  const team = await assistantFor("team");
  const thread = await client.threads.create();
  const events: { event: string; data: unknown }[] = [];
  for await (const chunk of client.runs.stream(thread.thread_id, team.assistant_id, {
    input: { messages: [{ role: "user", content: "TEAM: count to three" }] },
    streamMode: ["custom", "updates"],
    streamSubgraphs: true,
  })) {
    events.push({ event: chunk.event, data: chunk.data });
  }
  const fromAnalyst = (mode: string) =>
    events.filter((event) => event.event.startsWith(`${mode}|js_analyst`));
  expect(fromAnalyst("custom").map((event) => JSON.stringify(event.data)).join("")).toContain("tick 2");
  expect(fromAnalyst("updates").some((event) => Object.keys(event.data as object).includes("execute"))).toBe(true);
  const final = events.filter((event) => event.event === "updates").at(-1);
  expect(JSON.stringify(final?.data)).toContain("The analyst counted three ticks.");
});

it("gives an assistant the tools of the MCP servers in its settings (mcpServers, Streamable HTTP)", async () => {
  const shop = spawn(process.execPath, ["--import", "tsx", join(__dirname, "../mcp/fixtures/http-server.ts"), "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      shop.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        const match = /listening (\d+)/.exec(chunk);
        if (match) resolve(Number(match[1]));
      });
      shop.on("exit", () => reject(new Error("the MCP test server exited")));
    });
    const assistant = await client.assistants.create({
      graphId: "codeact_js",
      name: "with-mcp",
      config: { configurable: { mcpServers: { shop: `http://127.0.0.1:${port}/mcp` } } },
    });
    const thread = await client.threads.create();
    const result = (await client.runs.wait(thread.thread_id, assistant.assistant_id, {
      input: { messages: [{ role: "user", content: "MCP-SHOP" }] },
    })) as { messages: Array<{ content: unknown }> };
    expect(JSON.stringify(result.messages.at(-2)?.content)).toContain("price 30 object");
    expect(JSON.stringify(result.messages.at(-1)?.content)).toContain("It costs 30 euros.");
    await client.assistants.delete(assistant.assistant_id);
  } finally {
    shop.kill("SIGKILL");
  }
});

// Last: it restarts the shared server.
it("keeps a thread's functions, classes and instances across a dev server restart", async () => {
  const assistant = await assistantFor("codeact_js");
  const thread = await client.threads.create();
  await client.runs.wait(thread.thread_id, assistant.assistant_id, {
    input: { messages: [{ role: "user", content: "RESTART-DEFINE" }] },
  });
  // Stop once the run is over; the server writes its state to disk as it exits.
  for (let tries = 0; tries < 100 && (await client.threads.get(thread.thread_id)).status !== "idle"; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  expect(server.log()).toMatch(/Flushing to persistent storage/);
  expect(server.log()).not.toMatch(/Force killing/);
  server = await startDevServer({ OPENAI_BASE_URL: replay.baseUrl, OPENAI_API_KEY: "test-key" });
  client = new Client({ apiUrl: server.url });
  const result = (await client.runs.wait(thread.thread_id, assistant.assistant_id, {
    input: { messages: [{ role: "user", content: "RESTART-USE" }] },
  })) as { messages: Array<{ content: unknown }> };
  const observation = JSON.stringify(result.messages.at(-2)?.content);
  expect(observation).toContain("still 7 true");
  expect(observation).not.toMatch(/Not restored|could not be restored/);
  expect(observation).toMatch(/restored variables box, fee, Box/);
});
