import { MemorySaver } from "@langchain/langgraph";
import { createCodeActAgent } from "../../src/index.js";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import type { ExecuteRequest, ExecuteResult, Executor } from "../../src/executors/types.js";
import { js, ScriptedChatModel, textOf } from "./helpers.js";

// Two executors stand for two workers of one deployment; one checkpointer
// holds the thread. Steps of the thread alternate between them.
describe("a session never runs behind its thread's state", () => {
  const executors: Executor[] = [];
  afterAll(async () => {
    await Promise.all(executors.map((executor) => executor.close()));
  });
  const worker = (executor: Executor, replies: string[], checkpointer: MemorySaver) => {
    executors.push(executor);
    return createCodeActAgent({ model: new ScriptedChatModel(replies), executor, checkpointer });
  };
  const ask = async (agent: ReturnType<typeof worker>, thread: string): Promise<string> => {
    const state = await agent.invoke({ messages: [{ role: "user", content: "go" }] }, { configurable: { thread_id: thread } });
    // The observation of the one cell this turn ran.
    return textOf(state.messages.at(-2));
  };

  it.each(["in-process", "process"] as const)("A, B, A: A sees B's update, not its own old session (%s isolation)", async (isolation) => {
    const checkpointer = new MemorySaver();
    const a = worker(new IsolatedVmExecutor({ isolation }), [js("var x = 1; x"), "ok", js("x"), "ok"], checkpointer);
    const b = worker(new IsolatedVmExecutor({ isolation }), [js("x = x + 1"), "ok"], checkpointer);
    expect(await ask(a, "t1")).toContain("Value: 1");
    expect(await ask(b, "t1")).toContain("Value: 2");
    // Before: A ran on its live session (x = 1), answered 1, and saved x = 1 over B's 2.
    expect(await ask(a, "t1")).toContain("Value: 2");
    const saved = await checkpointer.getTuple({ configurable: { thread_id: "t1" } });
    expect((saved?.checkpoint.channel_values as { variables?: unknown }).variables).toEqual({ x: 2 });
  });

  it("keeps using the live session while it is current (no restore on every step)", async () => {
    const checkpointer = new MemorySaver();
    const executor = new RecordingExecutor(new IsolatedVmExecutor({ isolation: "in-process" }));
    const a = worker(executor, [js("var n = 1; n"), "ok", js("n += 1"), "ok", js("n"), "ok"], checkpointer);
    await ask(a, "t2");
    await ask(a, "t2");
    expect(await ask(a, "t2")).toContain("Value: 2");
    expect(new Set(executor.requests.map((request) => request.sessionId))).toEqual(new Set(["t2"]));
    expect(executor.forgotten).toEqual([]);
  });

  it("rebuilds from the checkpoint a thread was rewound to", async () => {
    const checkpointer = new MemorySaver();
    const executor = new RecordingExecutor(new IsolatedVmExecutor({ isolation: "in-process" }));
    const agent = worker(executor, [js("var y = 10; y"), "ok", js("y = 20"), "ok", js("y"), "ok"], checkpointer);
    await ask(agent, "t3");
    // The checkpoint after the first turn: y = 10.
    const afterFirst = await checkpointer.getTuple({ configurable: { thread_id: "t3" } });
    await ask(agent, "t3");
    const rewound = await agent.invoke(
      { messages: [{ role: "user", content: "go" }] },
      { configurable: { thread_id: "t3", checkpoint_id: afterFirst?.checkpoint.id } }
    );
    expect(textOf(rewound.messages.at(-2))).toContain("Value: 10");
    expect(executor.forgotten).toEqual(["t3"]);
  });

  it("moves to a new session id when the executor cannot forget a session", async () => {
    const checkpointer = new MemorySaver();
    const inner = new IsolatedVmExecutor({ isolation: "in-process" });
    const plain: Executor & { requests: ExecuteRequest[] } = {
      name: inner.name,
      language: inner.language,
      requests: [],
      execute(request) {
        plain.requests.push(request);
        return inner.execute(request);
      },
      close: () => inner.close(),
    };
    const a = worker(plain, [js("var z = 1; z"), "ok", js("z"), "ok"], checkpointer);
    const b = worker(new IsolatedVmExecutor({ isolation: "in-process" }), [js("z = 5"), "ok"], checkpointer);
    await ask(a, "t4");
    await ask(b, "t4");
    expect(await ask(a, "t4")).toContain("Value: 5");
    expect(plain.requests[1]?.sessionId).toMatch(/^t4@/);
  });
});

/** Passes everything on, recording requests and forgotten sessions. */
class RecordingExecutor implements Executor {
  readonly requests: ExecuteRequest[] = [];
  readonly forgotten: string[] = [];
  constructor(public inner: IsolatedVmExecutor) {}
  get name() {
    return this.inner.name;
  }
  get language() {
    return this.inner.language;
  }
  execute(request: ExecuteRequest): Promise<ExecuteResult> {
    this.requests.push(request);
    return this.inner.execute(request);
  }
  async forgetSession(sessionId: string): Promise<void> {
    this.forgotten.push(sessionId);
    // Stands in for the executors' own forgetSession: a new id would do the same.
    await this.inner.close();
    this.inner = new IsolatedVmExecutor({ isolation: "in-process" });
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
