import { HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { MemorySaver } from "@langchain/langgraph";
import { z } from "zod";
import {
  DEFAULT_MAX_TOOL_RESULT_BYTES,
  JupyterExecutor,
  startLocalJupyter,
  type LocalJupyter,
} from "../../src/executors/jupyter/index.js";
import type { HostFunction } from "../../src/executors/types.js";
import { createCodeActGraph } from "../../src/graph/create-codeact-graph.js";
import { listKernelIds, processesMentioning, startTcpProxy } from "../executors/jupyter/helpers.js";
import { UNICODE_EDGES, pythonLiteral, recordingEcho } from "./unicode-edges.js";

// Python boundaries through a real jupyter-server: a WebSocket cut under a
// graph run, Unicode edge cases across the tool bridge, and tool results that
// are not JSON. Each ends with a clear result, the next cell works, and no
// kernel is left behind.
const py = (code: string): string => "```python\n" + code + "\n```";
const text = (content: unknown): string => (typeof content === "string" ? content : JSON.stringify(content));
const kernelIdOf = (token: string | null | undefined): string =>
  (JSON.parse(token ?? "{}") as { kernelId?: string }).kernelId ?? "";

let server: LocalJupyter;
let executor: JupyterExecutor;
beforeAll(async () => {
  server = await startLocalJupyter();
  executor = new JupyterExecutor({ baseUrl: server.baseUrl, token: server.token, timeoutMs: 20_000 });
}, 60_000);
afterAll(async () => {
  await executor?.close();
  if (server) {
    expect(await listKernelIds(server.baseUrl, server.token)).toEqual([]);
    await server.stop();
    expect(processesMentioning(server.stateDir)).toEqual([]);
  }
}, 60_000);

jest.setTimeout(60_000);

describe("hardening: a dropped kernel WebSocket under a graph run (Python)", () => {
  it("the run completes on the same kernel", async () => {
    const proxy = await startTcpProxy(Number(new URL(server.baseUrl).port));
    const proxied = new JupyterExecutor({ baseUrl: `http://127.0.0.1:${proxy.port}/`, token: server.token });
    let dropped = 0;
    const started = tool(
      async () => {
        // Cut every connection (the kernel WebSocket among them) once the cell is running.
        setTimeout(() => (dropped = proxy.dropAll()), 100);
        return "ok";
      },
      { name: "started", description: "Marks the cell as running.", schema: z.object({}) }
    );
    const model = new FakeListChatModel({
      responses: [
        py("kept = {'n': 41}"),
        "Defined.",
        py("started()\nprint('before', flush=True)\nimport time\ntime.sleep(1.5)\nprint('after')\nkept['n'] + 1"),
        "It is 42.",
      ],
    });
    const graph = createCodeActGraph({ model, executor: proxied, tools: [started] }).compile({
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: "dropped-socket" }, recursionLimit: 20 };
    try {
      const before = await graph.invoke({ messages: [new HumanMessage("define kept")] }, config);
      const after = await graph.invoke({ messages: [new HumanMessage("kept['n'] + 1?")] }, config);
      expect(dropped).toBeGreaterThan(0);
      const contents = after.messages.map((message) => text(message.content));
      expect(contents).toHaveLength(8);
      expect(contents[0]).toBe("define kept");
      expect(contents[6]).toMatch(/before[\s\S]*after[\s\S]*42/);
      expect(contents[6]).not.toMatch(/Error|restarted|new one/);
      expect(contents[7]).toBe("It is 42.");
      // Reconnected to the same kernel: nothing restarted.
      expect(kernelIdOf(after.resumeToken)).toBe(kernelIdOf(before.resumeToken));
      expect(after.variables).toEqual({ kept: { n: 41 } });
    } finally {
      await proxied.close();
      await proxy.close();
    }
  });
});

describe("hardening: Unicode edge cases across the Python tool bridge", () => {
  it("round-trips lone surrogates, RTL, emoji, NUL and combining marks exactly through a graph run", async () => {
    const { echo, received } = recordingEcho();
    const code = [
      `s = ${pythonLiteral(UNICODE_EDGES)}`,
      "r = echo(text=s)",
      "print(r == s, len(r))",
      "print(r)",
      "def fail():\n    raise ValueError('bad ' + r)",
      "try:\n    fail()\nexcept ValueError as error:\n    caught = str(error)",
      "r",
    ].join("\n");
    const model = new FakeListChatModel({ responses: [py(code), "Echoed.", py("r == s, caught == 'bad ' + s"), "Same."] });
    const checkpointer = new MemorySaver();
    const graph = createCodeActGraph({ model, executor, tools: [echo] }).compile({ checkpointer });
    const config = { configurable: { thread_id: "unicode-python" }, recursionLimit: 20 };
    const state = await graph.invoke({ messages: [new HumanMessage("echo it")] }, config);

    // The host tool got exactly the string, the code got it back unchanged.
    expect(received).toEqual([UNICODE_EDGES]);
    const observation = text(state.messages[2]?.content);
    expect(observation).toContain(`True ${[...UNICODE_EDGES].length}`);
    expect(observation).toContain(UNICODE_EDGES);
    // The snapshot (in state and in the checkpoint) keeps the lone surrogates exactly.
    expect(state.variables.r).toBe(UNICODE_EDGES);
    expect(state.variables.caught).toBe(`bad ${UNICODE_EDGES}`);
    const saved = await checkpointer.getTuple(config);
    expect((saved?.checkpoint.channel_values.variables as Record<string, unknown>).s).toBe(UNICODE_EDGES);

    const next = await graph.invoke({ messages: [new HumanMessage("same?")] }, config);
    expect(text(next.messages.at(-2)?.content)).toContain("(True, True)");
  });

  it("prints and raises lone surrogates as they are; in the code text itself they become U+FFFD", async () => {
    const sessionId = "unicode-raw";
    const printed = await executor.execute({ sessionId, code: "print('x\\ud800y')\nprint('after')" });
    expect(printed.error).toBeUndefined();
    expect(printed.output).toBe("x\ud800y\nafter\n");
    const raised = await executor.execute({ sessionId, code: "raise ValueError('bad \\udfff')" });
    expect(raised.error).toMatchObject({ name: "ValueError", message: "bad \udfff" });
    // A Jupyter server cannot carry a lone surrogate in a request (it repacks as strict UTF-8).
    const literal = await executor.execute({ sessionId, code: "t = 'q\ud800q'\n[hex(ord(c)) for c in t]" });
    expect(literal.error).toBeUndefined();
    expect(literal.value).toBe("['0x71', '0xfffd', '0x71']");
    const next = await executor.execute({ sessionId, code: "1 + 1" });
    expect(next.value).toBe("2");
  });
});

describe("hardening: tool results that are not JSON (Python)", () => {
  class Node {
    readonly name = "node";
    self: Node | undefined;
    constructor() {
      this.self = this;
    }
  }
  const tools: Record<string, HostFunction> = {
    big_int: async () => 10n ** 30n,
    a_function: async () => () => 1,
    cyclic: async () => new Node(),
    nothing: async () => undefined,
    not_a_number: async () => Number.NaN,
    instance: async () => new (class Point { x = 1; y = 2; get sum() { return 3; } })(),
    a_map: async () => new Map([["a", 1]]),
    a_date: async () => new Date(0),
    large: async () => "l".repeat(4_000_000),
    huge: async () => "h".repeat(DEFAULT_MAX_TOOL_RESULT_BYTES + 1),
  };
  const sessionId = "bad-results";
  const call = (name: string): string =>
    [
      "try:",
      `    result = ${name}()`,
      "    answer = (type(result).__name__, result if type(result).__name__ != 'str' or len(result) < 100 else len(result))",
      "except Exception as error:",
      "    answer = (type(error).__name__, str(error))",
      "print(__import__('json').dumps(answer))",
    ].join("\n");
  const answer = async (name: string): Promise<[string, unknown]> => {
    const result = await executor.execute({ sessionId, code: call(name), tools });
    expect(result.error).toBeUndefined();
    return JSON.parse(result.output) as [string, unknown];
  };

  beforeAll(async () => {
    await executor.execute({ sessionId, code: "kept = {'n': 41}", tools });
  });

  it.each([
    ["big_int", /^The tool big_int returned a value that is not JSON \(Do not know how to serialize a BigInt\)\.$/],
    ["cyclic", /^The tool cyclic returned a value that is not JSON \(Converting circular structure to JSON[\s\S]*'self' closes the circle\)\.$/],
    ["huge", /^The tool huge returned \d+ bytes of JSON, over the 8388608-byte limit of one kernel message; ask it for less/],
  ])("%s fails in the code with a clear error, at once", async (name, expected) => {
    const started = Date.now();
    const [errorName, message] = await answer(name);
    // Before the size check, a reply over the WebSocket's 10 MiB was dropped and the cell hung until its timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(errorName).toBe("ToolError");
    expect(message).toMatch(expected);
    const next = await executor.execute({ sessionId, code: "kept['n'] + 1", tools });
    expect(next.value).toBe("42");
  });

  // Documented conversion: what JSON.stringify makes of the value, as in the JavaScript sandbox.
  it.each<[string, [string, unknown]]>([
    ["a_function", ["NoneType", null]],
    ["nothing", ["NoneType", null]],
    ["not_a_number", ["NoneType", null]],
    ["instance", ["dict", { x: 1, y: 2 }]],
    ["a_map", ["dict", {}]],
    ["a_date", ["str", "1970-01-01T00:00:00.000Z"]],
    ["large", ["str", 4_000_000]],
  ])("%s is converted as JSON.stringify does", async (name, expected) => {
    expect(await answer(name)).toEqual(expected);
  });
});
