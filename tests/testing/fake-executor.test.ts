import { FakeExecutor } from "../../src/testing/index.js";

describe("FakeExecutor", () => {
  it("records requests and answers scripted results in order", async () => {
    const executor = new FakeExecutor({ results: [{ output: "one" }, { value: "2" }] });
    const chunks: string[] = [];
    const first = await executor.execute({ code: "a", sessionId: "s", onOutput: (c) => chunks.push(c) });
    const second = await executor.execute({ code: "b", sessionId: "s" });
    expect(first).toEqual({ output: "one", outputs: [], durationMs: 0 });
    expect(second.value).toBe("2");
    expect(chunks).toEqual(["one"]);
    expect(executor.executeCalls.map((call) => call.code)).toEqual(["a", "b"]);
    await expect(executor.execute({ code: "c", sessionId: "s" })).rejects.toThrow(/only 2 results/);
  });

  it("accepts a function and a single result", async () => {
    const byFunction = new FakeExecutor({ results: (request, index) => ({ output: `${request.code}#${index}` }) });
    expect((await byFunction.execute({ code: "x", sessionId: "s" })).output).toBe("x#0");
    const single = new FakeExecutor({ results: { value: "7" }, language: "python" });
    expect(single.language).toBe("python");
    expect((await single.execute({ code: "1", sessionId: "s" })).value).toBe("7");
    expect((await single.execute({ code: "2", sessionId: "s" })).value).toBe("7");
  });

  it("throws EXECUTOR_CLOSED after close", async () => {
    const executor = new FakeExecutor({ results: {} });
    await executor.close();
    await executor.close();
    expect(executor.closed).toBe(true);
    await expect(executor.execute({ code: "x", sessionId: "s" })).rejects.toMatchObject({
      code: "EXECUTOR_CLOSED",
      name: "ExecutorClosedError",
    });
  });
});
