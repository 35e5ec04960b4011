/**
 * A scripted OpenAI-compatible Chat Completions server for tests.
 *
 * It is a real HTTP server on 127.0.0.1 (random port), so the real
 * `ChatOpenAI` client — or the real CLI in a child process — talks to it over
 * the network exactly as it would to OpenAI, Ollama or vLLM. Replies are
 * scripted in order; every request body is recorded for assertions.
 *
 * ```ts
 * const server = await startReplayServer({ responses: ["```js\nconsole.log(1)\n```", "Done."] });
 * const model = new ChatOpenAI({ apiKey: "test", configuration: { baseURL: server.baseUrl } });
 * ...
 * expect(server.requests[1]?.messages.at(-1)?.content).toContain("1");
 * await server.close();
 * ```
 *
 * With `streaming: true`, drive `ChatOpenAI` through `stream()` (or a graph
 * streamed with the "messages" mode): its `invoke()` then estimates token
 * usage with tiktoken, which it tries to download — about 90 s of retries on
 * a machine without internet.
 */
import { randomUUID } from "node:crypto";
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/** Characters of content per streamed chunk, unless a reply says otherwise. */
export const DEFAULT_CHUNK_CHARS = 8;

/** A tool call the scripted assistant makes (JSON tool-calling baseline). */
export interface ReplayToolCall {
  name: string;
  /** An object (serialised for the wire) or the raw JSON text. */
  arguments: Record<string, unknown> | string;
}

/** One scripted reply, in object form. */
export interface ReplayReply {
  /** The assistant's text. */
  content?: string;
  toolCalls?: ReplayToolCall[];
  /** Wait this long before answering (both modes). */
  delayMs?: number;
  /** Wait this long between streamed chunks. */
  chunkDelayMs?: number;
  /** Characters of content per streamed chunk. @defaultValue {@link DEFAULT_CHUNK_CHARS} */
  chunkChars?: number;
  /** Answer with this HTTP error status instead of a completion. */
  status?: number;
  /** The error message sent with {@link status}. */
  errorMessage?: string;
}

/** A scripted response: assistant text, a reply object, or a function of the request. */
export type ReplayResponse =
  | string
  | ReplayReply
  | ((
      request: ChatRequestBody,
      index: number
    ) => string | ReplayReply | Promise<string | ReplayReply>);

/** A chat message as the client sent it. */
export interface ChatRequestMessage {
  role: string;
  content: string | Array<{ type: string; text?: string; [key: string]: unknown }> | null;
  tool_calls?: Array<{
    id: string;
    type: string;
    function: { name: string; arguments: string };
  }>;
  tool_call_id?: string;
  name?: string;
}

/** The body of `POST /v1/chat/completions`, as recorded. */
export interface ChatRequestBody {
  model: string;
  messages: ChatRequestMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: unknown[];
  [key: string]: unknown;
}

export interface ReplayServerOptions {
  /** Replies in order; request `i` gets `responses[i]`. Past the end the server answers 500. */
  responses: ReplayResponse[];
  /** Model ids listed by `GET /v1/models`. @defaultValue `["replay-model"]` */
  models?: string[];
}

export interface ReplayServer {
  /** Base URL including `/v1`, as `ChatOpenAI`'s `configuration.baseURL` expects. */
  baseUrl: string;
  /** Every chat completion request body received, in order (also failed ones). */
  requests: ChatRequestBody[];
  /** Stops the server and drops open connections. Idempotent. */
  close(): Promise<void>;
}

/** Starts a replay server on 127.0.0.1 with a random free port. */
export async function startReplayServer(
  options: ReplayServerOptions
): Promise<ReplayServer> {
  const requests: ChatRequestBody[] = [];
  const models = options.models ?? ["replay-model"];

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendError(response, 500, `replay server failure: ${String(error)}`);
      } else {
        response.destroy();
      }
    });
  });

  async function handle(
    request: IncomingMessage,
    response: ServerResponse
  ): Promise<void> {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method === "GET" && path === "/v1/models") {
      sendJson(response, 200, {
        object: "list",
        data: models.map((id) => ({
          id,
          object: "model",
          created: 0,
          owned_by: "replay",
        })),
      });
      return;
    }
    if (request.method !== "POST" || path !== "/v1/chat/completions") {
      sendError(response, 404, `no route for ${request.method} ${path}`);
      return;
    }
    let body: ChatRequestBody;
    try {
      body = JSON.parse(await readBody(request)) as ChatRequestBody;
    } catch (error) {
      sendError(response, 400, `request body is not JSON: ${String(error)}`);
      return;
    }
    const index = requests.length;
    requests.push(body);
    const scripted = options.responses[index];
    if (scripted === undefined) {
      sendError(
        response,
        500,
        `replay script exhausted: request #${index + 1} received but only ${options.responses.length} responses were scripted`
      );
      return;
    }
    const reply = toReply(
      typeof scripted === "function" ? await scripted(body, index) : scripted
    );
    if (reply.delayMs !== undefined) await sleep(reply.delayMs);
    if (reply.status !== undefined) {
      sendError(
        response,
        reply.status,
        reply.errorMessage ?? `scripted error ${reply.status}`
      );
      return;
    }
    if (body.stream === true) {
      await streamReply(response, body, reply);
    } else {
      sendJson(response, 200, completion(body, reply));
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function toReply(response: string | ReplayReply): ReplayReply {
  return typeof response === "string" ? { content: response } : response;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  response.end(text);
}

// The OpenAI error envelope, so clients surface `message` in their errors.
function sendError(response: ServerResponse, status: number, message: string): void {
  sendJson(response, status, {
    error: { message, type: "replay_error", param: null, code: null },
  });
}

function wireToolCalls(reply: ReplayReply) {
  return (reply.toolCalls ?? []).map((call, index) => ({
    index,
    id: `call_${index}_${randomUUID().slice(0, 8)}`,
    type: "function" as const,
    function: {
      name: call.name,
      arguments:
        typeof call.arguments === "string"
          ? call.arguments
          : JSON.stringify(call.arguments),
    },
  }));
}

function finishReason(reply: ReplayReply): "stop" | "tool_calls" {
  return (reply.toolCalls?.length ?? 0) > 0 ? "tool_calls" : "stop";
}

// Rough token counts: enough for clients that read `usage`, not a tokenizer.
function usage(body: ChatRequestBody, reply: ReplayReply) {
  const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
  const prompt = body.messages.reduce(
    (sum, message) =>
      sum + words(typeof message.content === "string" ? message.content : ""),
    0
  );
  const completionTokens = words(reply.content ?? "");
  return {
    prompt_tokens: prompt,
    completion_tokens: completionTokens,
    total_tokens: prompt + completionTokens,
  };
}

function completion(body: ChatRequestBody, reply: ReplayReply) {
  const toolCalls = wireToolCalls(reply).map(({ index: _index, ...call }) => call);
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: reply.content ?? (toolCalls.length > 0 ? null : ""),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReason(reply),
      },
    ],
    usage: usage(body, reply),
  };
}

async function streamReply(
  response: ServerResponse,
  body: ChatRequestBody,
  reply: ReplayReply
): Promise<void> {
  response.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (
    choices: unknown[],
    extra: Record<string, unknown> = {}
  ): string =>
    `data: ${JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created,
      model: body.model,
      choices,
      ...extra,
    })}\n\n`;
  const deltas: Record<string, unknown>[] = [{ role: "assistant", content: "" }];
  const content = reply.content ?? "";
  const size = Math.max(1, reply.chunkChars ?? DEFAULT_CHUNK_CHARS);
  for (let start = 0; start < content.length; start += size) {
    deltas.push({ content: content.slice(start, start + size) });
  }
  for (const call of wireToolCalls(reply)) {
    // Name first, then the arguments in two pieces, as OpenAI streams them.
    const half = Math.ceil(call.function.arguments.length / 2);
    deltas.push({
      tool_calls: [
        { index: call.index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } },
      ],
    });
    deltas.push({
      tool_calls: [{ index: call.index, function: { arguments: call.function.arguments.slice(0, half) } }],
    });
    deltas.push({
      tool_calls: [{ index: call.index, function: { arguments: call.function.arguments.slice(half) } }],
    });
  }
  for (const delta of deltas) {
    if (response.destroyed) return;
    response.write(chunk([{ index: 0, delta, logprobs: null, finish_reason: null }]));
    if (reply.chunkDelayMs !== undefined) await sleep(reply.chunkDelayMs);
  }
  response.write(
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason(reply) }])
  );
  if (body.stream_options?.include_usage === true) {
    response.write(chunk([], { usage: usage(body, reply) }));
  }
  response.end("data: [DONE]\n\n");
}
