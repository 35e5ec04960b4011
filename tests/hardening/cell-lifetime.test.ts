/**
 * Nothing of a cell runs after it ended, in both isolation modes: un-awaited
 * loops around tool calls, callbacks chained on tool calls, replies arriving
 * in a later cell, and garbage-collector callbacks. A cell that leaves tool
 * calls running is told so.
 */
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";

jest.setTimeout(60_000);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(["in-process", "process"] as const)("a cell's code ends with the cell (%s isolation)", (isolation) => {
  let executor: IsolatedVmExecutor;
  let calls: string[];
  const tools = {
    ping: async (label?: unknown): Promise<number> => {
      calls.push(String(label ?? "ping"));
      await sleep(5);
      return calls.length;
    },
    slow: async (label?: unknown): Promise<string> => {
      calls.push(String(label ?? "slow"));
      await sleep(300);
      return "late";
    },
  };

  beforeAll(() => {
    executor = new IsolatedVmExecutor({ isolation, timeoutMs: 3_000 });
  });
  beforeEach(() => {
    calls = [];
  });
  afterAll(async () => {
    await executor.close();
  });

  it("stops an un-awaited loop around a tool: no calls or steps between cells or in the next cell", async () => {
    const sessionId = `loop-${isolation}`;
    const first = await executor.execute({
      code: `globalThis.steps = 0; (async () => { for (;;) { try { await ping("loop"); } catch {} steps++; } })(); "started"`,
      sessionId,
      tools,
    });
    expect(first.value).toBe("'started'");
    expect(first.output).toMatch(/1 tool call\(s\) still running when the cell ended/);
    await sleep(300);
    const second = await executor.execute({ code: `await ping("cell"); steps`, sessionId, tools });
    expect(second.value).toBe("0");
    // the loop's one call reaches the tool only if the host got it before the cell returned
    expect(calls.filter((label) => label !== "loop")).toEqual(["cell"]);
    expect(calls.filter((label) => label === "loop").length).toBeLessThanOrEqual(1);
    expect(second.output).toBe("");
  });

  it("never runs a callback chained on a tool call once its cell ended, not even a spinning one", async () => {
    const sessionId = `chained-${isolation}`;
    await executor.execute({
      code: `globalThis.after = 0; ping("a").then(() => { after = 1; for (;;) {} }); slow("b").finally(() => { after = 2; ping("c"); }); 1`,
      sessionId,
      tools,
    });
    await sleep(400);
    const started = Date.now();
    const next = await executor.execute({ code: "after", sessionId, tools });
    expect(next.error).toBeUndefined();
    expect(next.value).toBe("0");
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(calls).toEqual(["a", "b"]);
  });

  it("does not deliver a reply that arrives while a later cell runs", async () => {
    const sessionId = `late-${isolation}`;
    await executor.execute({
      code: `globalThis.seen = []; slow("old").then((value) => { seen.push(value); ping("from-old"); }); "left running"`,
      sessionId,
      tools,
    });
    // The old call answers (after 300 ms) while this cell is still waiting on its own tools.
    const next = await executor.execute({
      code: `for (let i = 0; i < 10; i++) await ping("new"); await slow("new-slow"); seen.length`,
      sessionId,
      tools,
    });
    expect(next.value).toBe("0");
    expect(calls.filter((label) => label === "from-old")).toEqual([]);
    expect(next.output).toBe("");
  });

  it("keeps tool calls a cell awaits, however many run at once", async () => {
    const result = await executor.execute({
      code: `const values = await Promise.all(Array.from({ length: 20 }, (_, i) => ping(i))); values.length`,
      sessionId: `awaited-${isolation}`,
      tools,
    });
    expect(result.value).toBe("20");
    expect(result.output).toBe("");
  });

  it("has no FinalizationRegistry, whose callbacks would run between cells", async () => {
    const sessionId = `gc-${isolation}`;
    const result = await executor.execute({
      code: `new FinalizationRegistry(() => { for (;;) {} })`,
      sessionId,
      tools,
    });
    expect(result.error?.name).toBe("ReferenceError");
    const churn = await executor.execute({
      code: `let kept = 0; for (let k = 0; k < 50; k++) kept += new Array(100_000).fill(k).length; typeof WeakRef`,
      sessionId,
      tools,
    });
    expect(churn.value).toBe("'function'");
    const started = Date.now();
    expect((await executor.execute({ code: "1 + 1", sessionId, tools })).value).toBe("2");
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("keeps a microtask loop left running inside the cell that started it", async () => {
    const sessionId = `micro-${isolation}`;
    const spinning = await executor.execute({ code: `(async () => { for (;;) await null; })(); "started"`, sessionId, tools });
    expect(spinning.error?.name).toBe("TimeoutError");
    const started = Date.now();
    expect((await executor.execute({ code: "2 + 2", sessionId, tools })).value).toBe("4");
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
