import { HumanMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { MemorySaver } from "@langchain/langgraph";
import { IsolatedVmExecutor, type IsolationMode } from "../../src/executors/isolated-vm/index.js";
import { createCodeActGraph } from "../../src/graph/create-codeact-graph.js";
import { UNICODE_EDGES, recordingEcho } from "./unicode-edges.js";

// Unicode edge cases across the JavaScript tool bridge, through the graph with
// a checkpointer. Documented behaviour: lone surrogates are kept exactly
// everywhere (tool arguments and results, console output, errors, the
// variable snapshot, literal in the code), as JavaScript strings keep them.
const js = (code: string): string => "```js\n" + code + "\n```";
const text = (content: unknown): string => (typeof content === "string" ? content : JSON.stringify(content));

describe.each<IsolationMode>(["in-process", "process"])("hardening: Unicode edge cases across the JavaScript tool bridge (%s)", (isolation) => {
  jest.setTimeout(60_000);
  const executor = new IsolatedVmExecutor({ isolation, timeoutMs: 5_000 });
  afterAll(() => executor.close());

  it("round-trips lone surrogates, RTL, emoji, NUL and combining marks exactly", async () => {
    const { echo, received } = recordingEcho();
    const code = [
      // ASCII escapes, plus the same string written literally (lone surrogates in the code text itself).
      `const s = ${JSON.stringify(UNICODE_EDGES)}`,
      `const literal = "${UNICODE_EDGES.replace("\u0000", "\\0")}"`,
      "const r = await echo({ text: s })",
      "console.log(r === s, r === literal, r.length)",
      "console.log(r)",
      "let caught; try { throw new Error('bad ' + r) } catch (error) { caught = error.message }",
      "r",
    ].join("\n");
    const model = new FakeListChatModel({ responses: [js(code), "Echoed.", js("[r === s, caught === 'bad ' + s]"), "Same."] });
    const checkpointer = new MemorySaver();
    const graph = createCodeActGraph({ model, executor, tools: [echo] }).compile({ checkpointer });
    const config = { configurable: { thread_id: `unicode-${isolation}` }, recursionLimit: 20 };
    const state = await graph.invoke({ messages: [new HumanMessage("echo it")] }, config);

    expect(received).toEqual([UNICODE_EDGES]);
    const observation = text(state.messages[2]?.content);
    expect(observation).toContain(`true true ${UNICODE_EDGES.length}`);
    expect(observation).toContain(UNICODE_EDGES);
    expect(state.variables.r).toBe(UNICODE_EDGES);
    expect(state.variables.literal).toBe(UNICODE_EDGES);
    expect(state.variables.caught).toBe(`bad ${UNICODE_EDGES}`);
    const saved = await checkpointer.getTuple(config);
    expect((saved?.checkpoint.channel_values.variables as Record<string, unknown>).s).toBe(UNICODE_EDGES);

    const next = await graph.invoke({ messages: [new HumanMessage("same?")] }, config);
    expect(text(next.messages.at(-2)?.content)).toContain("[ true, true ]");
    expect(text(next.messages.at(-1)?.content)).toBe("Same.");
  });
});
