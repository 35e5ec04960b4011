import { IsolatedVmExecutor, type IsolationMode } from "../../src/executors/isolated-vm/index.js";
import type { ExecuteRequest, ExecuteResult } from "../../src/executors/types.js";

// Resource attacks, in both isolation modes. Each must end within its limit
// with a clear error, and the next cell of the same session must work.
const TIMEOUT_MS = 1_500;
/** Time allowed past the limit (worker grace, a loaded CI machine). */
const SLACK_MS = 5_000;

describe.each<IsolationMode>(["in-process", "process"])("hardening: resource attacks (%s)", (isolation) => {
  jest.setTimeout(60_000);
  const executor = new IsolatedVmExecutor({ isolation, timeoutMs: TIMEOUT_MS, memoryLimitMb: 32, maxOutputChars: 2_000 });
  afterAll(() => executor.close());
  let counter = 0;

  async function attack(code: string, extra: Partial<ExecuteRequest> = {}): Promise<ExecuteResult> {
    const sessionId = `${isolation}-${++counter}`;
    await executor.execute({ code: "const before = { ok: [1, 2, 3] }", sessionId });
    const started = Date.now();
    const result = await executor.execute({ code, sessionId, ...extra });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expect(result.error?.message ?? "").not.toBe("");
    const next = await executor.execute({ code: "before.ok.length", sessionId });
    expect(next.error).toBeUndefined();
    expect(next.value).toBe("3");
    return result;
  }

  it.each([
    ["a sync infinite loop", "while (true) {}"],
    ["an async infinite loop", "while (true) { await null }"],
    ["a never-settling promise", "await new Promise(() => {})"],
    ["a loop awaiting a tool that never answers", "await hang()"],
  ])("stops %s with TimeoutError", async (_title, code) => {
    const result = await attack(code, { tools: { hang: () => new Promise(() => {}) } });
    expect(result.error?.name).toBe("TimeoutError");
  });

  it.each([
    ["arrays", "const a = []; while (true) a.push(new Array(1e5).fill(Math.random()))", /MemoryLimitError/],
    ["strings", "let s = 'x'; while (true) s += s", /RangeError|MemoryLimitError/],
    ["typed arrays", "const a = []; while (true) a.push(new Float64Array(1e6))", /RangeError|MemoryLimitError/],
    ["one huge ArrayBuffer", "new ArrayBuffer(2 ** 32)", /RangeError/],
    ["WebAssembly memory", "new WebAssembly.Memory({ initial: 60000 })", /ReferenceError/],
    ["deep recursion", "function f(n) { return f(n + 1) + 1 }\nf(0)", /RangeError/],
  ])("stops a memory bomb of %s with a clear error", async (_title, code, expected) => {
    const result = await attack(code);
    expect(result.error?.name).toMatch(expected);
  });

  it("answers 100,000 tool calls in a loop or stops them at the timeout", async () => {
    let calls = 0;
    const result = await attack("let n = 0\nfor (let i = 0; i < 100000; i++) n += await tick()\nn", {
      tools: { tick: async () => ++calls && 1 },
    });
    if (result.error) expect(result.error.name).toBe("TimeoutError");
    else expect(result.value).toBe("100000");
    expect(calls).toBeLessThanOrEqual(100_000);
    const settled = calls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(settled); // nothing keeps calling after the cell ended
  });

  it("caps an output flood and live streaming", async () => {
    const chunks: string[] = [];
    const result = await executor.execute({
      code: "for (let i = 0; i < 100000; i++) console.log('flood ' + i)\nconsole.log('x'.repeat(5e6))\n'done'",
      sessionId: `${isolation}-flood`,
      onOutput: (chunk) => chunks.push(chunk),
    });
    expect(result.value ?? result.error?.name).toMatch(/'done'|TimeoutError/);
    expect(result.output.length).toBeLessThan(2_200);
    expect(result.truncated).toBe(true);
    expect(chunks.join("").length).toBeLessThan(2_000 + 200_000);
  });

  it("handles huge tool arguments and results with clear errors or values", async () => {
    // Its own executor and a time limit sized for copying megabytes across the
    // boundary on a loaded 2-core CI machine; what matters is a value or a clear
    // error, and a session that goes on.
    const roomy = new IsolatedVmExecutor({ isolation, timeoutMs: 30_000, memoryLimitMb: 128, maxOutputChars: 2_000 });
    try {
      let receivedLength = 0;
      const sessionId = `${isolation}-huge`;
      const result = await roomy.execute({
        sessionId,
        code: "const big = await echo('y'.repeat(8e6))\nconst out = [big.length]\ntry { await huge() } catch (e) { out.push(e.name) }\nout.length",
        tools: {
          echo: async (text) => {
            receivedLength = (text as string).length;
            return text;
          },
          huge: async () => "z".repeat(16e6),
        },
      });
      expect(result.error).toBeUndefined();
      expect(receivedLength).toBe(8e6);
      const next = await roomy.execute({ code: "out[0]", sessionId });
      expect(next.value).toBe("8000000");
    } finally {
      await roomy.close();
    }
  });

  it("keeps cyclic values printable and out of the snapshot; cyclic tool arguments are a TypeError", async () => {
    const sessionId = `${isolation}-cyclic`;
    const result = await executor.execute({
      code: "const c = { name: 'c' }; c.self = c; console.log(c)\nlet e; try { await tool(c) } catch (err) { e = err.name }\n[c, e]",
      sessionId,
      tools: { tool: async () => 1 },
    });
    expect(result.output).toContain("self: [Circular]");
    expect(result.value).toContain("'TypeError'");
    expect(result.unsavedVariables).toContain("c");
  });
});

describe("hardening: catastrophic V8 out-of-memory (process isolation)", () => {
  it("a Map growing forever costs only the worker; the session goes on", async () => {
    const executor = new IsolatedVmExecutor({ isolation: "process", memoryLimitMb: 32 });
    try {
      await executor.execute({ code: "const kept = 'yes'", sessionId: "map" });
      const result = await executor.execute({
        code: "const m = new Map(); let i = 0; while (true) m.set(i++, { i })",
        sessionId: "map",
      });
      expect(result.error?.name).toBe("MemoryLimitError");
      expect((await executor.execute({ code: "kept", sessionId: "map" })).value).toBe("'yes'");
    } finally {
      await executor.close();
    }
  }, 60_000);
});
