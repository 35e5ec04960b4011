import { AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { startReplayServer, type ReplayServer } from "./replay-server.js";

function chatModel(server: ReplayServer, streaming: boolean): ChatOpenAI {
  return new ChatOpenAI({
    model: "replay-model",
    apiKey: "test",
    streaming,
    maxRetries: 0,
    configuration: { baseURL: server.baseUrl },
  });
}

describe("startReplayServer", () => {
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("answers non-streaming requests in script order and records the bodies", async () => {
    server = await startReplayServer({ responses: ["first answer", "second answer"] });
    const model = chatModel(server, false);
    const first = await model.invoke([new HumanMessage("hello")]);
    const second = await model.invoke([new HumanMessage("again")]);
    expect(first.content).toBe("first answer");
    expect(second.content).toBe("second answer");
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.model).toBe("replay-model");
    expect(server.requests[0]?.messages.at(-1)).toMatchObject({ role: "user", content: "hello" });
    expect(server.requests[1]?.messages.at(-1)?.content).toBe("again");
    expect(server.requests[0]?.stream).toBeFalsy();
  });

  it("streams the content as several SSE chunks that ChatOpenAI reassembles", async () => {
    const content = "The quick brown fox jumps over the lazy dog.";
    server = await startReplayServer({ responses: [{ content, chunkChars: 5 }] });
    const model = chatModel(server, true);
    const pieces: string[] = [];
    let merged: AIMessageChunk | undefined;
    for await (const chunk of await model.stream([new HumanMessage("go")])) {
      if (typeof chunk.content === "string" && chunk.content !== "") pieces.push(chunk.content);
      merged = merged === undefined ? chunk : merged.concat(chunk);
    }
    expect(pieces.length).toBe(Math.ceil(content.length / 5));
    expect(pieces.join("")).toBe(content);
    expect(merged?.content).toBe(content);
    expect(server.requests[0]?.stream).toBe(true);
  });

  it("sends a usage chunk when stream_options.include_usage is set, then [DONE]", async () => {
    server = await startReplayServer({ responses: ["one two three"] });
    const response = await fetch(`${server.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "m",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "count four words" }],
      }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = (await response.text())
      .split("\n\n")
      .filter((event) => event.startsWith("data: "))
      .map((event) => event.slice("data: ".length));
    expect(events.at(-1)).toBe("[DONE]");
    const parsed = events.slice(0, -1).map((event) => JSON.parse(event) as {
      object: string;
      choices: Array<{ finish_reason: string | null; delta: { content?: string } }>;
      usage?: { prompt_tokens: number; completion_tokens: number };
    });
    expect(parsed.every((event) => event.object === "chat.completion.chunk")).toBe(true);
    const usageEvent = parsed.at(-1);
    expect(usageEvent?.choices).toEqual([]);
    expect(usageEvent?.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 3 });
    expect(parsed.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    const text = parsed.map((event) => event.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("one two three");
  });

  it.each([false, true])("returns scripted tool calls (streaming: %s)", async (streaming) => {
    server = await startReplayServer({
      responses: [{ toolCalls: [{ name: "add", arguments: { a: 1, b: 2 } }] }],
    });
    const model = chatModel(server, streaming).bindTools([
      {
        type: "function",
        function: {
          name: "add",
          description: "Adds two numbers",
          parameters: {
            type: "object",
            properties: { a: { type: "number" }, b: { type: "number" } },
            required: ["a", "b"],
          },
        },
      },
    ]);
    // Streaming goes through `stream()`: `invoke()` on a `streaming: true`
    // ChatOpenAI estimates tokens with tiktoken, which it downloads (~90 s
    // of retries offline).
    let reply: AIMessageChunk | undefined;
    if (streaming) {
      for await (const chunk of await model.stream([new HumanMessage("1+2")])) {
        reply = reply === undefined ? chunk : reply.concat(chunk);
      }
    } else {
      reply = await model.invoke([new HumanMessage("1+2")]);
    }
    expect(reply?.tool_calls).toHaveLength(1);
    expect(reply?.tool_calls?.[0]).toMatchObject({ name: "add", args: { a: 1, b: 2 } });
    expect(server.requests[0]?.tools).toHaveLength(1);
  });

  it("lets a function compute the reply from the request", async () => {
    server = await startReplayServer({
      responses: [(request, index) => `#${index}: ${String(request.messages.at(-1)?.content)}`],
    });
    const reply = await chatModel(server, false).invoke("echo me");
    expect(reply.content).toBe("#0: echo me");
  });

  it("answers 500 with a clear message when the script is exhausted", async () => {
    server = await startReplayServer({ responses: ["only one"] });
    const model = chatModel(server, false);
    await model.invoke("one");
    await expect(model.invoke("two")).rejects.toThrow(/replay script exhausted/);
    expect(server.requests).toHaveLength(2);
  });

  it("honours per-response delays, so chunks arrive over time", async () => {
    server = await startReplayServer({
      responses: [{ content: "abcdefgh", chunkChars: 2, chunkDelayMs: 40, delayMs: 50 }],
    });
    const started = Date.now();
    const arrivals: number[] = [];
    for await (const chunk of await chatModel(server, true).stream("go")) {
      if (chunk.content !== "") arrivals.push(Date.now() - started);
    }
    expect(arrivals).toHaveLength(4);
    expect(arrivals[0]).toBeGreaterThanOrEqual(45);
    expect((arrivals[3] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(100);
  });

  it("lists models and answers 404 elsewhere", async () => {
    server = await startReplayServer({ responses: [], models: ["a", "b"] });
    const models = (await (await fetch(`${server.baseUrl}/models`)).json()) as {
      data: Array<{ id: string }>;
    };
    expect(models.data.map((model) => model.id)).toEqual(["a", "b"]);
    expect((await fetch(`${server.baseUrl}/nothing`)).status).toBe(404);
  });
});
