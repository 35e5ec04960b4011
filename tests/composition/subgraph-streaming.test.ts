/**
 * In-process streaming across subgraphs: two CodeAct agents (real
 * isolated-vm, ChatOpenAI against the replay server, which streams) are
 * nodes of a parent graph, streamed with `streamMode: ["custom", "messages",
 * "updates"]` and `subgraphs: true`. A member's stdout arrives while its cell
 * runs, before its `execute` update, under its own namespace; its model
 * tokens arrive as message chunks under the same namespace.
 */
import { AIMessageChunk, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { END, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ChatOpenAI } from "@langchain/openai";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { createCodeActAgent, OUTPUT_STREAM_TYPE } from "../../src/index.js";
import { startReplayServer, type ChatRequestBody, type ReplayServer } from "../support/replay-server.js";

jest.setTimeout(120_000);

const TICK_MS = 500;
const fence = (code: string) => "```javascript\n" + code + "\n```";
// Busy-waits: the sandbox has no timers, and a blocking wait shows that
// output leaves the sandbox while the cell is still running.
const tickCode = (label: string) =>
  fence(
    [
      "const wait = (ms) => { const end = Date.now() + ms; while (Date.now() < end) {} };",
      `for (let i = 0; i < 3; i++) { console.log("${label} tick " + i); wait(${TICK_MS}); }`,
    ].join("\n")
  );

const userTexts = (body: ChatRequestBody) =>
  body.messages
    .filter((message) => message.role === "user")
    .map((message) => (typeof message.content === "string" ? message.content : JSON.stringify(message.content)));

let replay: ReplayServer;
let executor: IsolatedVmExecutor;

beforeAll(async () => {
  replay = await startReplayServer({
    responses: Array.from({ length: 20 }, () => (body: ChatRequestBody) => {
      // Each member has its own model name; both see the shared messages.
      const label = body.model.replace("-model", "");
      return userTexts(body).some((text) => text.includes(`${label} tick 2`))
        ? `${label} counted to three.`
        : { content: tickCode(label), chunkChars: 6 };
    }),
  });
  executor = new IsolatedVmExecutor();
});

afterAll(async () => {
  await executor?.close();
  await replay?.close();
});

const member = (name: string) =>
  createCodeActAgent({
    name,
    executor,
    model: new ChatOpenAI({ model: `${name}-model`, apiKey: "test", configuration: { baseURL: replay.baseUrl } }),
  });

interface Event {
  namespace: string[];
  mode: string;
  data: unknown;
  at: number;
}

it("streams each member's stdout before its execute update, and its tokens, under its namespace", async () => {
  const team = new StateGraph(MessagesAnnotation)
    .addNode("alpha", member("alpha"))
    .addNode("beta", member("beta"))
    .addEdge(START, "alpha")
    .addEdge("alpha", "beta")
    .addEdge("beta", END)
    .compile({ checkpointer: new MemorySaver() });

  const events: Event[] = [];
  const stream = await team.stream(
    { messages: [new HumanMessage("Both of you: count to three.")] },
    {
      configurable: { thread_id: "team-stream" },
      streamMode: ["custom", "messages", "updates"],
      subgraphs: true,
    }
  );
  for await (const [namespace, mode, data] of stream) {
    events.push({ namespace, mode, data, at: Date.now() });
  }

  for (const name of ["alpha", "beta"]) {
    const mine = (event: Event) => event.namespace.length === 1 && event.namespace[0]!.startsWith(`${name}:`);
    const stdout = events.filter(
      (event) => mine(event) && event.mode === "custom" && (event.data as { type?: string }).type === OUTPUT_STREAM_TYPE
    );
    expect(stdout.map((event) => (event.data as { chunk: string }).chunk).join("")).toBe(
      `${name} tick 0\n${name} tick 1\n${name} tick 2\n`
    );
    const firstTick = events.indexOf(stdout[0]!);
    const executeUpdate = events.findIndex(
      (event) => mine(event) && event.mode === "updates" && Object.keys(event.data as object).includes("execute")
    );
    expect(executeUpdate).toBeGreaterThan(firstTick);
    // The cell kept running for two more ticks after the first chunk left it.
    expect(events[executeUpdate]!.at - events[firstTick]!.at).toBeGreaterThanOrEqual(2 * TICK_MS - 50);

    // Model tokens: many small chunks from the member's model node.
    const tokens = events.filter((event) => {
      if (!mine(event) || event.mode !== "messages") return false;
      const [message, metadata] = event.data as [BaseMessage, { langgraph_node?: string }];
      return AIMessageChunk.isInstance(message) && metadata.langgraph_node === "model";
    });
    const text = tokens.map((event) => String((event.data as [BaseMessage])[0].content)).join("");
    expect(text).toContain(`console.log("${name} tick "`);
    expect(text).toContain(`${name} counted to three.`);
    expect(tokens.length).toBeGreaterThan(10);
  }

  // The parent graph's own updates are the two members, in order; beta starts after alpha ended.
  const topUpdates = events.filter((event) => event.namespace.length === 0 && event.mode === "updates");
  expect(topUpdates.map((event) => Object.keys(event.data as object)[0])).toEqual(["alpha", "beta"]);
  const alphaDone = events.findIndex((event) => event === topUpdates[0]);
  const betaFirst = events.findIndex((event) => event.namespace[0]?.startsWith("beta:") === true);
  expect(betaFirst).toBeGreaterThan(alphaDone);
  const final = await team.getState({ configurable: { thread_id: "team-stream" } });
  const contents = (final.values as { messages: BaseMessage[] }).messages.map((message) => String(message.content));
  expect(contents.at(-1)).toBe("beta counted to three.");
  expect(contents).toContain("alpha counted to three.");
});
