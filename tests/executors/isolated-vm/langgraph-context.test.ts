import { runFixture } from "./fixtures/run-fixture.js";

// The async-context trap of PLATFORM.md, end to end: isolated-vm started from a
// LangGraph node leaked the node's run config into the caller, and the next
// invoke on the thread then lost its state. Run in a plain child process:
// jest's own async context around each test hides the leak.
describe("IsolatedVmExecutor inside a LangGraph node", () => {
  it("leaks no run config into the caller and keeps the thread's state", async () => {
    const result = JSON.parse(await runFixture("langgraph-context.ts")) as {
      leaked: boolean;
      messages: string[];
      toolThreads: unknown[];
    };
    expect(result.leaked).toBe(false);
    expect(result.messages).toEqual(["one", "42", "two", "42"]);
    // tools run in the node's context, so tracing sees the execute run
    expect(result.toolThreads).toEqual(["thread-1", "thread-1"]);
  }, 60_000);
});
