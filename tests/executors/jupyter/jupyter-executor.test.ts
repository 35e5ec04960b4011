import {
  ExecutorClosedError,
  ExecutorUnauthorizedError,
  ExecutorUnavailableError,
} from "../../../src/executors/errors.js";
import {
  JupyterExecutor,
  startLocalJupyter,
  type LocalJupyter,
} from "../../../src/executors/jupyter/index.js";
import { toolInput } from "../../../src/executors/jupyter/tool-channel.js";
import { describeSessionChange } from "../../../src/executors/session-change.js";
import type { ExecuteResult, HostFunction } from "../../../src/executors/types.js";
import { executorsOn, kernelIdOf, listKernelIds, processesMentioning, startTcpProxy } from "./helpers.js";

jest.setTimeout(60_000);

let server: LocalJupyter;
const executors = executorsOn(() => server);
const createExecutor = executors.create;
let sessionCounter = 0;
const newSession = (): string => `jupyter-test-${++sessionCounter}`;

const add: HostFunction = Object.assign(
  async (input: unknown) => {
    const { a, b } = input as { a: number; b: number };
    return a + b;
  },
  { parameters: ["a", "b"] as const }
);

beforeAll(async () => {
  server = await startLocalJupyter();
});

afterAll(async () => {
  await executors.closeAll();
  expect(await listKernelIds(server.baseUrl, server.token)).toEqual([]);
  const stateDir = server.stateDir;
  await server.stop();
  expect(processesMentioning(stateDir)).toEqual([]);
});

describe("toolInput", () => {
  const tool: HostFunction = Object.assign(async () => null, { parameters: ["query", "limit"] });
  const bare: HostFunction = async () => null;

  it("maps positional arguments to parameter names and merges keywords", () => {
    expect(toolInput(tool, ["x"], { limit: 3 })).toEqual({ query: "x", limit: 3 });
    expect(toolInput(tool, [], { query: "y" })).toEqual({ query: "y" });
  });

  it("accepts one dict holding the input", () => {
    expect(toolInput(tool, [{ query: "z" }], {})).toEqual({ query: "z" });
    expect(toolInput(bare, [{ anything: 1 }], {})).toEqual({ anything: 1 });
  });

  it("rejects what it cannot map", () => {
    expect(() => toolInput(bare, ["x"], {})).toThrow(/keyword arguments/);
    expect(() => toolInput(tool, [1, 2, 3], {})).toThrow(/at most 2/);
    expect(() => toolInput(tool, ["x"], { query: "again" })).toThrow(/multiple values/);
  });
});

describe("JupyterExecutor", () => {
  let executor: JupyterExecutor;
  beforeAll(() => {
    executor = createExecutor();
  });

  it("describes itself for the prompt", () => {
    expect(executor.name).toBe("jupyter");
    expect(executor.language).toBe("python");
    expect(executor.description).toMatch(/Python/);
  });

  it("returns printed output in order, the last value and a resume token", async () => {
    const result = await executor.execute({
      sessionId: newSession(),
      code: "import sys\nprint('one', flush=True)\nsys.stderr.write('two\\n'); sys.stderr.flush()\nprint('three')\n6 * 7",
    });
    expect(result.error).toBeUndefined();
    expect(result.output).toMatch(/one\n[\s\S]*two\n[\s\S]*three\n/);
    expect(result.value).toBe("42");
    expect(kernelIdOf(result)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("returns a Python exception as data with a traceback free of ANSI codes", async () => {
    const result = await executor.execute({
      sessionId: newSession(),
      code: "def divide(a, b):\n    return a / b\ndivide(1, 0)",
    });
    expect(result.error?.name).toBe("ZeroDivisionError");
    expect(result.error?.message).toBe("division by zero");
    expect(result.error?.traceback).toContain("divide(1, 0)");
    expect(result.error?.traceback).not.toContain("\u001b[");
  });

  it("snapshots JSON-safe globals and names the rest", async () => {
    const sessionId = newSession();
    const result = await executor.execute({
      sessionId,
      tools: { add },
      code: [
        "import math",
        "count = 3",
        "items = {'a': [1, 2.5, None, True], 'b': 'text'}",
        "pair = (1, 2)",
        "keyed = {1: 'int keys do not survive JSON'}",
        "big = 'x' * 200",
        "def helper():\n    return 1",
        "class Thing:\n    pass",
        "thing = Thing()",
        "_private = 1",
        "nan = float('nan')",
        "add(1, 2)",
      ].join("\n"),
    });
    expect(result.error).toBeUndefined();
    expect(result.variables).toEqual({ count: 3, items: { a: [1, 2.5, null, true], b: "text" }, big: "x".repeat(200), thing: {} });
    // math, helper and Thing travel as code (definitions), thing as an instance of Thing
    expect(result.definitions?.code.map((definition) => definition.name)).toEqual(["math", "helper", "Thing"]);
    expect(result.definitions?.instances).toEqual({ thing: [{ path: [], className: "Thing" }] });
    expect(result.unsavedVariables).toEqual(["keyed", "nan", "pair"]);

    const small = createExecutor({ maxVariableChars: 100 });
    const capped = await small.execute({ sessionId, code: "big = 'x' * 200\nsmall = 'y'" });
    expect(capped.variables).toEqual({ small: "y" });
    expect(capped.unsavedVariables).toContain("big");
  });

  it("snapshots variables also when the cell fails half way", async () => {
    const result = await executor.execute({ sessionId: newSession(), code: "before = 1\nraise ValueError('x')" });
    expect(result.error?.name).toBe("ValueError");
    expect(result.variables).toEqual({ before: 1 });
  });

  it("returns a matplotlib figure as a PNG", async () => {
    const result = await executor.execute({
      sessionId: newSession(),
      code: "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.title('chart')\nplt.show()",
    });
    expect(result.error).toBeUndefined();
    const png = result.outputs.find((output) => output.mimeType === "image/png");
    expect(png).toBeDefined();
    const bytes = Buffer.from(png?.data ?? "", "base64");
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes.length).toBeGreaterThan(1_000);
    expect(png?.text).toMatch(/Figure/);
  });

  it("returns a pandas DataFrame as HTML beside its text form", async () => {
    const result = await executor.execute({
      sessionId: newSession(),
      code: "import pandas as pd\npd.DataFrame({'city': ['Oslo', 'Lima'], 'population': [709000, 10000000]})",
    });
    expect(result.error).toBeUndefined();
    expect(result.value).toMatch(/city\s+population/);
    const html = result.outputs.find((output) => output.mimeType === "text/html");
    expect(html?.data).toMatch(/<table[\s\S]*Oslo[\s\S]*Lima/);
  });

  it("drops images when imagesForModel is false, saying so", async () => {
    const textOnly = createExecutor({ imagesForModel: false });
    const result = await textOnly.execute({
      sessionId: newSession(),
      code: "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
    });
    expect(result.outputs.filter((output) => output.mimeType.startsWith("image/"))).toEqual([]);
    expect(result.output).toMatch(/1 image output\(s\) not shown/);
  });

  it("calls host tools with positional and keyword arguments", async () => {
    const seen: unknown[] = [];
    const record: HostFunction = Object.assign(
      async (input: unknown) => {
        seen.push(input);
        return { received: input, list: [1, "two"] };
      },
      { parameters: ["query", "limit"] }
    );
    const result = await executor.execute({
      sessionId: newSession(),
      tools: { add, record },
      code: "r = record('cats', limit=2)\nprint(r['list'])\nadd(2, 3) + add(a=10, b=20) + add({'a': 1, 'b': 1})",
    });
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("37");
    expect(result.output).toContain("[1, 'two']");
    expect(seen).toEqual([{ query: "cats", limit: 2 }]);
    expect(result.variables?.["r"]).toEqual({ received: { query: "cats", limit: 2 }, list: [1, "two"] });
  });

  it("raises a tool's failure in Python with its message", async () => {
    const failing: HostFunction = async () => {
      throw new Error("quota exceeded");
    };
    const result = await executor.execute({
      sessionId: newSession(),
      tools: { failing },
      code: "try:\n    failing(x=1)\nexcept Exception as error:\n    print(type(error).__name__, error)\nfailing()",
    });
    expect(result.output).toContain("ToolError quota exceeded");
    expect(result.error?.name).toBe("ToolError");
    expect(result.error?.message).toBe("quota exceeded");
  });

  it("rejects arguments that are not JSON inside Python, before calling the host", async () => {
    let called = false;
    const tool: HostFunction = async () => {
      called = true;
    };
    const result = await executor.execute({ sessionId: newSession(), tools: { tool }, code: "tool(x={1, 2})" });
    expect(result.error?.name).toBe("TypeError");
    expect(result.error?.message).toMatch(/JSON-serialisable/);
    expect(called).toBe(false);
  });

  it("keeps tool stubs in step with the request's tools", async () => {
    const sessionId = newSession();
    await executor.execute({ sessionId, tools: { add }, code: "add(1, 1)" });
    const result = await executor.execute({ sessionId, tools: {}, code: "add(1, 1)" });
    expect(result.error?.name).toBe("NameError");
  });

  it("answers a plain input() with an empty string and a note", async () => {
    const result = await executor.execute({ sessionId: newSession(), code: "answer = input('Name? ')\nrepr(answer)" });
    expect(result.error).toBeUndefined();
    expect(result.value).toBe("\"''\"");
    expect(result.output).toMatch(/Name\? \n\[input\(\) is not available/);
  });

  it("truncates long output keeping head and tail", async () => {
    const short = createExecutor({ maxOutputChars: 1_000 });
    const result = await short.execute({
      sessionId: newSession(),
      code: "print('HEAD' + 'x' * 50000 + 'TAIL')",
    });
    expect(result.truncated).toBe(true);
    expect(result.output.length).toBeLessThanOrEqual(1_000);
    expect(result.output.startsWith("HEAD")).toBe(true);
    expect(result.output).toMatch(/TAIL\n$/);
    expect(result.output).toMatch(/\[4\d{4} characters truncated\]/);
  });

  it("streams output live through onOutput", async () => {
    const chunks: { text: string; at: number }[] = [];
    const started = Date.now();
    const result = await executor.execute({
      sessionId: newSession(),
      code: "import time\nprint('early', flush=True)\ntime.sleep(0.8)\nprint('late')",
      onOutput: (text) => chunks.push({ text, at: Date.now() - started }),
    });
    const early = chunks.find((chunk) => chunk.text.includes("early"));
    expect(early).toBeDefined();
    expect(early?.at ?? Infinity).toBeLessThan(result.durationMs - 500);
    expect(chunks.map((chunk) => chunk.text).join("")).toBe(result.output);
  });

  it("runs sessions in separate kernels", async () => {
    const [first, second] = await Promise.all([
      executor.execute({ sessionId: newSession(), code: "value = 'a'\nvalue" }),
      executor.execute({ sessionId: newSession(), code: "'value' in globals()" }),
    ]);
    expect(first?.value).toBe("'a'");
    expect(second?.value).toBe("False");
    expect(kernelIdOf(first as ExecuteResult)).not.toBe(kernelIdOf(second as ExecuteResult));
  });
});

describe("JupyterExecutor faults", () => {
  it("interrupts a cell over timeoutMs and keeps the kernel", async () => {
    const executor = createExecutor({ timeoutMs: 1_000 });
    const sessionId = newSession();
    const first = await executor.execute({ sessionId, code: "def keep():\n    return 'kept'\nn = 1" });
    const started = Date.now();
    const result = await executor.execute({ sessionId, code: "import time\nprint('working')\ntime.sleep(30)" });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.error?.name).toBe("TimeoutError");
    expect(result.error?.traceback).toContain("KeyboardInterrupt");
    expect(result.output).toContain("working");
    expect(result.sessionChange).toBeUndefined();
    // Same kernel: even the function (not in any snapshot) is still there.
    const next = await executor.execute({ sessionId, code: "keep()" });
    expect(next.value).toBe("'kept'");
    expect(kernelIdOf(next)).toBe(kernelIdOf(first));
  });

  it("restarts a kernel that ignores the interrupt and restores the snapshot", async () => {
    const executor = createExecutor({ timeoutMs: 1_000, interruptGraceMs: 500 });
    const sessionId = newSession();
    const first = await executor.execute({ sessionId, code: "kept = [1, 2]\nlost = (lambda: (lambda: 1))()" });
    const result = await executor.execute({
      sessionId,
      code: "import time\nwhile True:\n    try:\n        time.sleep(5)\n    except KeyboardInterrupt:\n        pass",
    });
    expect(result.error?.name).toBe("TimeoutError");
    expect(result.error?.message).toMatch(/restarted/);
    expect(result.sessionNotice).toBeUndefined();
    expect(result.sessionChange).toEqual({
      cause: "the kernel did not stop when interrupted, so it was restarted",
      restored: ["kept"],
      lost: ["lost"],
      notes: [expect.stringMatching(/^Imports, top-level functions and classes and plain data travel/)],
    });
    const next = await executor.execute({ sessionId, code: "print(kept)\n'lost' in globals()" });
    expect(next.output).toBe("[1, 2]\n");
    expect(next.value).toBe("False");
    expect(kernelIdOf(next)).toBe(kernelIdOf(first));
  });

  it("replaces a kernel that dies, restores its variables and says so", async () => {
    const executor = createExecutor();
    const sessionId = newSession();
    const first = await executor.execute({ sessionId, code: "survivor = {'ok': True}" });
    const result = await executor.execute({ sessionId, code: "import os\nos._exit(1)" });
    expect(result.error?.name).toBe("SessionCrashedError");
    expect(result.sessionChange).toMatchObject({ cause: expect.stringMatching(/died while running this code/), restored: ["survivor"] });
    expect(describeSessionChange(result.sessionChange!)).toMatch(/died.*survivor/);
    expect(kernelIdOf(result)).not.toBe(kernelIdOf(first));
    expect(await listKernelIds(server.baseUrl, server.token)).not.toContain(kernelIdOf(first));
    const next = await executor.execute({ sessionId, code: "survivor" });
    expect(next.value).toBe("{'ok': True}");
    expect(next.sessionChange).toBeUndefined();
  });

  it("stops a cell waiting on a tool when the signal aborts", async () => {
    const executor = createExecutor();
    const sessionId = newSession();
    const hang: HostFunction = () => new Promise(() => undefined);
    await executor.execute({ sessionId, code: "before = 1" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await executor.execute({
      sessionId,
      tools: { hang },
      code: "hang()",
      signal: controller.signal,
    });
    expect(result.error?.name).toBe("AbortError");
    expect(result.error?.traceback).toContain("KeyboardInterrupt");
    const next = await executor.execute({ sessionId, tools: { add }, code: "before + add(1, 1)" });
    expect(next.value).toBe("3");
  });

  it("reconnects to the living kernel of a resume token, without restoring", async () => {
    const first = createExecutor({ keepKernelsOnClose: true });
    const result = await first.execute({ sessionId: "resumable", code: "def f():\n    return 'alive'\nx = 5" });
    await first.close();
    const second = createExecutor();
    const resumed = await second.execute({
      sessionId: "resumable",
      code: "f() + str(x)",
      resumeToken: result.resumeToken,
      variables: { x: 99 },
    });
    expect(resumed.value).toBe("'alive5'");
    expect(resumed.sessionChange).toBeUndefined();
    expect(kernelIdOf(resumed)).toBe(kernelIdOf(result));
    await second.close();
    expect(await listKernelIds(server.baseUrl, server.token)).not.toContain(kernelIdOf(result));
  });

  it("starts a new kernel when the resume token's kernel is gone, restoring variables", async () => {
    const first = createExecutor();
    const result = await first.execute({ sessionId: "gone", code: "x = 5" });
    await first.close();
    const second = createExecutor();
    const resumed = await second.execute({
      sessionId: "gone",
      code: "x * 2",
      resumeToken: result.resumeToken,
      variables: result.variables ?? {},
    });
    expect(resumed.value).toBe("10");
    expect(resumed.sessionChange).toEqual({
      cause: "the previous Python kernel no longer exists, so a new one was started",
      restored: ["x"],
      lost: [],
    });
    expect(kernelIdOf(resumed)).not.toBe(kernelIdOf(result));
  });

  it("survives a dropped WebSocket mid-cell and between cells", async () => {
    const proxy = await startTcpProxy(Number(new URL(server.baseUrl).port));
    try {
      const executor = createExecutor({ baseUrl: `http://127.0.0.1:${proxy.port}/` });
      const sessionId = newSession();
      await executor.execute({ sessionId, code: "x = 1" });
      setTimeout(() => proxy.dropAll(), 400);
      const result = await executor.execute({
        sessionId,
        code: "import time\nprint('before', flush=True)\ntime.sleep(1.2)\nprint('after')\nx + 1",
      });
      expect(result.error).toBeUndefined();
      expect(result.output).toContain("after");
      expect(result.value).toBe("2");
      expect(proxy.dropAll()).toBeGreaterThan(0);
      const next = await executor.execute({ sessionId, code: "x + 2" });
      expect(next.value).toBe("3");
      await executor.close();
    } finally {
      await proxy.close();
    }
  });

  it("names the URL when the server cannot be reached", async () => {
    const executor = createExecutor({ baseUrl: "http://127.0.0.1:9/" });
    const attempt = executor.execute({ sessionId: newSession(), code: "1" });
    await expect(attempt).rejects.toBeInstanceOf(ExecutorUnavailableError);
    await expect(attempt).rejects.toThrow("http://127.0.0.1:9/");
  });

  it("reports a wrong token as unauthorized", async () => {
    const executor = createExecutor({ token: "wrong" });
    const attempt = executor.execute({ sessionId: newSession(), code: "1" });
    await expect(attempt).rejects.toBeInstanceOf(ExecutorUnauthorizedError);
    await expect(attempt).rejects.toThrow(server.baseUrl);
  });

  it("shuts down its kernels on close, idempotently, and refuses work afterwards", async () => {
    const executor = createExecutor();
    const results = await Promise.all([
      executor.execute({ sessionId: newSession(), code: "1" }),
      executor.execute({ sessionId: newSession(), code: "2" }),
    ]);
    const ids = results.map(kernelIdOf);
    expect(await listKernelIds(server.baseUrl, server.token)).toEqual(expect.arrayContaining(ids));
    await Promise.all([executor.close(), executor.close()]);
    await executor.close();
    const remaining = await listKernelIds(server.baseUrl, server.token);
    expect(remaining.filter((id) => ids.includes(id))).toEqual([]);
    await expect(executor.execute({ sessionId: newSession(), code: "1" })).rejects.toBeInstanceOf(
      ExecutorClosedError
    );
  });
});
