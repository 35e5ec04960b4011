import { AsyncLocalStorage } from "node:async_hooks";
import { IsolatedVmExecutor } from "../../../src/executors/isolated-vm/index.js";

// Its own file so the first isolate of this process is created inside the
// caller's context: the case where isolated-vm leaked that context (PLATFORM.md).
describe("IsolatedVmExecutor: async context", () => {
  const executor = new IsolatedVmExecutor({ isolation: "in-process" });
  afterAll(() => executor.close());

  it("runs tools and onOutput in the caller's context and leaks nothing into it", async () => {
    const als = new AsyncLocalStorage<{ run: string }>();
    const seenInTool: unknown[] = [];
    const seenInOutput: unknown[] = [];
    expect(als.getStore()).toBeUndefined();
    for (const run of ["first", "second"]) {
      const result = await als.run({ run }, () =>
        executor.execute({
          code: "console.log('x'); await Promise.all([probe(), probe()])",
          sessionId: run === "first" ? "a" : "b",
          tools: {
            probe: async () => {
              seenInTool.push(als.getStore());
            },
          },
          onOutput: () => seenInOutput.push(als.getStore()),
        })
      );
      expect(result.error).toBeUndefined();
      expect(als.getStore()).toBeUndefined();
    }
    expect(seenInTool).toEqual([{ run: "first" }, { run: "first" }, { run: "second" }, { run: "second" }]);
    expect(seenInOutput).toEqual([{ run: "first" }, { run: "second" }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(als.getStore()).toBeUndefined();
  });

  it("does not leak a context entered with enterWith around execute", async () => {
    const als = new AsyncLocalStorage<string>();
    const outer = async (): Promise<unknown> => {
      await executor.execute({ code: "1", sessionId: "c" });
      return als.getStore();
    };
    const inner = await als.run("inside", async () => {
      await executor.execute({ code: "2", sessionId: "c" });
      return als.getStore();
    });
    expect(inner).toBe("inside");
    expect(await outer()).toBeUndefined();
  });
});
