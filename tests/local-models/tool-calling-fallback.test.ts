/**
 * The tool-calling fallback with the real ChatOpenAI against a local
 * OpenAI-compatible replay server: a model that keeps failing the code
 * format is switched to JSON tool calls, said in the state, to the model
 * and in the trace; the thread stays switched.
 */
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { ChatOpenAI } from "@langchain/openai";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { createCodeActAgent } from "../../src/index.js";
import { startReplayServer, type ReplayServer } from "../support/replay-server.js";
import { addTool, ScriptedChatModel } from "../graph/helpers.js";

let replay: ReplayServer | undefined;
const executor = new IsolatedVmExecutor({ isolation: "in-process" });
afterEach(async () => {
  await replay?.close();
  replay = undefined;
});
afterAll(() => executor.close());

const modelFor = (server: ReplayServer) =>
  new ChatOpenAI({ model: "small-local-model", apiKey: "test", maxRetries: 0, configuration: { baseURL: server.baseUrl } });

describe("toolCallingFallback", () => {
  it("switches a thread to tool calls after N unreadable replies, and keeps it switched", async () => {
    replay = await startReplayServer({
      responses: [
        "Action: add[2, 3]",
        "",
        { toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] },
        "2 + 3 = 5.",
        { toolCalls: [{ name: "add", arguments: { a: 5, b: 5 } }] },
        "5 + 5 = 10.",
      ],
    });
    const agent = createCodeActAgent({ model: modelFor(replay), tools: [addTool], executor, checkpointer: new MemorySaver(), toolCallingFallback: 2 });
    const config = { configurable: { thread_id: "fallback-1" } };
    const first = await agent.invoke({ messages: [new HumanMessage("Add 2 and 3.")] }, config);
    expect(first.actionMode).toBe("tool_calling");
    expect(first.messages.at(-1)?.content).toBe("2 + 3 = 5.");
    const requests = replay.requests;
    // Code mode: no tools in the request; after the switch, the tools are bound and the prompt asks for tool calls.
    expect(requests[0]?.tools).toBeUndefined();
    expect(requests[1]?.messages.at(-1)?.content).toContain("Your reply could not be read");
    expect(requests[2]?.tools).toHaveLength(1);
    expect(String(requests[2]?.messages[0]?.content)).toContain("calling the tools you are given, with tool calls");
    expect(String(requests[2]?.messages.at(-1)?.content)).toContain("this conversation now uses tool calls");
    const toolAnswer = requests[3]?.messages.at(-1);
    expect(toolAnswer?.role).toBe("tool");
    expect(toolAnswer?.content).toBe("5");
    // The next turn of the thread acts by tool calls from the start.
    const second = await agent.invoke({ messages: [new HumanMessage("Now 5 and 5.")] }, config);
    expect(requests[4]?.tools).toHaveLength(1);
    expect(second.messages.at(-1)?.content).toBe("5 + 5 = 10.");
    expect(second.steps).toBe(1);
  });

  it("is off by default: the turn ends after the corrections", async () => {
    replay = await startReplayServer({ responses: Array.from({ length: 4 }, () => "Action: add[2, 3]") });
    const result = await createCodeActAgent({ model: modelFor(replay), tools: [addTool], executor }).invoke({ messages: [new HumanMessage("Add.")] });
    expect(result.actionMode).toBe("code");
    expect(replay.requests.every((request) => request.tools === undefined)).toBe(true);
    expect(String(result.messages.at(-1)?.content)).toContain("could not be read after 3 corrections");
  });

  it("needs a model with tool calling, and a count within the corrections", () => {
    expect(() => createCodeActAgent({ model: new ScriptedChatModel([]), tools: [addTool], toolCallingFallback: 2 })).toThrow(/needs a chat model with tool calling/);
    const model = new ChatOpenAI({ model: "m", apiKey: "k" });
    expect(() => createCodeActAgent({ model, toolCallingFallback: 9 })).toThrow(/toolCallingFallback` must be a whole number from 1 to 3/);
  });
});
