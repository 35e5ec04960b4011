import { HumanMessage } from "@langchain/core/messages";
import { IsolatedVmExecutor, type IsolationMode } from "../../../src/executors/isolated-vm/index.js";
import { createCodeActAgent } from "../../../src/graph/create-codeact-graph.js";
import { ScriptedChatModel } from "../../graph/helpers.js";

// forgetSession: a session the graph finds behind the thread's state is
// dropped and rebuilt under the same id, never left to idle in memory.

const WORKER_TEST_TIMEOUT_MS = 60_000;

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each<IsolationMode>(["in-process", "process"])("IsolatedVmExecutor.forgetSession (isolation: %s)", (isolation) => {
  jest.setTimeout(WORKER_TEST_TIMEOUT_MS);
  let executor: IsolatedVmExecutor;
  beforeEach(() => {
    executor = new IsolatedVmExecutor({ isolation, prewarmSessions: 0 });
  });
  afterEach(async () => {
    await executor.close();
  });

  it("starts the next cell of that id in a new session, from the request's variables, and frees the old isolate", async () => {
    await executor.execute({ code: "var kept = 1; var dropped = 2", sessionId: "s" });
    await waitFor(() => executor.sessionCount === 1);
    await executor.forgetSession("s");
    await waitFor(() => executor.sessionCount === 0);
    const result = await executor.execute({
      code: "[typeof kept, typeof dropped, restored]",
      sessionId: "s",
      variables: { restored: "from the request" },
    });
    expect(result.value).toContain("'undefined', 'undefined', 'from the request'");
    await waitFor(() => executor.sessionCount === 1);
  });

  it("lets a cell under way finish in the old session and resolves after it; a cell sent after the call runs in a new one", async () => {
    await executor.execute({ code: "var n = 1", sessionId: "busy" });
    const wait = async (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300));
    const running = executor.execute({ code: "await wait(); n += 1; n", sessionId: "busy", tools: { wait } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    let forgotten = false;
    const forgetting = executor.forgetSession("busy").then(() => (forgotten = true));
    const after = await executor.execute({ code: "typeof n", sessionId: "busy" });
    expect(after.value).toBe("'undefined'");
    expect((await running).value).toBe("2");
    await forgetting;
    expect(forgotten).toBe(true);
  });

  it("leaves other sessions alone and accepts ids it never saw, and calls after close", async () => {
    await executor.execute({ code: "var other = 'still here'", sessionId: "other" });
    await executor.forgetSession("never-used");
    await executor.forgetSession("s");
    expect((await executor.execute({ code: "other", sessionId: "other" })).value).toBe("'still here'");
    await executor.close();
    await expect(executor.forgetSession("other")).resolves.toBeUndefined();
  });

  it("keeps one live session for a thread run again and again without a checkpointer", async () => {
    // Without a checkpointer every invocation starts from empty state: the
    // thread's session is rebuilt each time, under the same id, not piled up.
    const agent = createCodeActAgent({
      model: new ScriptedChatModel(Array.from({ length: 5 }, () => ["```javascript\nvar seen = typeof seen\nseen\n```", "done"]).flat()),
      executor,
    });
    for (let run = 0; run < 5; run += 1) {
      const state = await agent.invoke({ messages: [new HumanMessage("again")] }, { configurable: { thread_id: "reused" } });
      const observation = JSON.stringify(state.messages.at(-2)?.content);
      expect(observation).toContain("'undefined'");
      expect(observation).not.toContain("'string'");
    }
    await waitFor(() => executor.sessionCount === 1);
  });
});
