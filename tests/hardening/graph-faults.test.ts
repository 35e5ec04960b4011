import { HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { MemorySaver } from "@langchain/langgraph";
import { z } from "zod";
import { IsolatedVmExecutor, type IsolationMode } from "../../src/executors/isolated-vm/index.js";
import { createCodeActGraph } from "../../src/graph/create-codeact-graph.js";

// Bad input at every boundary and faults, through the real graph with a
// checkpointer: after each one the thread's messages and variables are intact
// and the run continues.
const js = (code: string): string => "```js\n" + code + "\n```";
const text = (content: unknown): string => (typeof content === "string" ? content : JSON.stringify(content));

const add = tool(async ({ a, b }: { a: number; b: number }) => String(a + b), {
  name: "add",
  description: "Adds two numbers.",
  schema: z.object({ a: z.number(), b: z.number() }),
});
const weird = tool(async () => ({ fn: () => 1, big: 10 }) as unknown as string, {
  name: "weird",
  description: "Returns something that is not JSON.",
  schema: z.object({}),
});

const FAULTS: [string, string][] = [
  ["an empty reply", ""],
  ["a whitespace-only reply", " \n\t \n"],
  ["an unterminated fence", "```js\nconst broken = 1"],
  ["megabytes of text", "word ".repeat(400_000)],
  ["an infinite loop", js("while (true) {}")],
  ["a memory bomb", js("const a = []; while (true) a.push(new Array(1e5).fill(1))")],
  ["an unknown tool", js("await nosuch({})")],
  ["tool arguments failing the schema", js("await add({ a: 'one', b: null })")],
  ["a non-JSON tool result", js("await weird({})")],
  ["unicode edge cases", js("const u = '\\ud800 \u202eRTL\u202c 😀 \\u0000 nul'; console.log(u, '\u0000'); u")],
  ["a code cell of several megabytes", js(`const blob = ${JSON.stringify("q".repeat(3_000_000))}; blob.length`)],
  ["a syntax error", js("const = ;")],
];

describe.each<IsolationMode>(["in-process", "process"])("hardening: faults through the graph (%s)", (isolation) => {
  jest.setTimeout(120_000);
  const executor = new IsolatedVmExecutor({ isolation, timeoutMs: 1_000, memoryLimitMb: 32 });
  afterAll(() => executor.close());

  it("keeps messages and variables after every fault, and the thread continues", async () => {
    const checkpointer = new MemorySaver();
    // a graph per turn over one checkpointer and executor: each turn scripts its own replies
    const turn = (responses: string[], input: string) =>
      createCodeActGraph({ model: new FakeListChatModel({ responses }), executor, tools: [add, weird] })
        .compile({ checkpointer })
        .invoke({ messages: [new HumanMessage(input)] }, config);
    const config = { configurable: { thread_id: `faults-${isolation}` }, recursionLimit: 20 };

    let state = await turn([js("const kept = { n: 41 }"), "Defined."], "define kept");
    expect(state.variables).toEqual({ kept: { n: 41 } });
    let messageCount = state.messages.length;
    for (const [title, reply] of FAULTS) {
      state = await turn([reply, "Noted."], `now: ${title}`);
      // nothing lost: earlier messages are still there, in order, and the variable survived
      expect(state.messages.length).toBeGreaterThan(messageCount);
      expect(text(state.messages[0]?.content)).toBe("define kept");
      expect(state.variables.kept).toEqual({ n: 41 });
      messageCount = state.messages.length;
    }
    state = await turn([js("kept.n + 1"), "It is 42."], "kept.n + 1?");
    expect(text(state.messages.at(-1)?.content)).toBe("It is 42.");
    const observation = state.messages.at(-2);
    expect(text(observation?.content)).toContain("42");
    const saved = await checkpointer.getTuple(config);
    expect((saved?.checkpoint.channel_values.variables as Record<string, unknown>).kept).toEqual({ n: 41 });
    expect(executor.sessionCount).toBeLessThanOrEqual(1);
    const all = state.messages.map((message) => text(message.content)).join("\n");
    for (const expected of ["TimeoutError", "MemoryLimitError", "SyntaxError"]) expect(all).toContain(expected);
    expect(all).toMatch(/nosuch/);
  });
});
