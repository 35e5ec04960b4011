/** Reply shapes through the graph: a JSON tool call runs, a wrong shape gets a bounded correction. */
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { createCodeActAgent, MAX_FORMAT_RETRIES } from "../../src/index.js";
import { addTool, ScriptedChatModel, textOf } from "./helpers.js";

const executor = new IsolatedVmExecutor({ isolation: "in-process" });
afterAll(() => executor.close());

const ask = { messages: [{ role: "user", content: "Add 2 and 3." }] };

describe("reply formats in the graph", () => {
  it("runs a JSON tool call written as text as a call to that tool", async () => {
    const model = new ScriptedChatModel(['<tool_call>{"name": "add", "arguments": {"a": 2, "b": 3}}</tool_call>', "It is 5."]);
    const result = await createCodeActAgent({ model, tools: [addTool], executor }).invoke(ask);
    expect(result.code).toBeNull();
    expect(textOf(model.calls[1]?.at(-1))).toContain("5");
    expect(textOf(result.messages.at(-1))).toBe("It is 5.");
  });

  it("answers a reply it cannot read with one short correction, and goes on", async () => {
    const model = new ScriptedChatModel(["<think>\nhmm, let me think about this for a while", "```js\nawait add({ a: 2, b: 3 })\n```", "5."]);
    const result = await createCodeActAgent({ model, tools: [addTool], executor }).invoke(ask);
    const correction = textOf(model.calls[1]?.at(-1));
    expect(correction).toContain("Your reply could not be read: Your reply had only reasoning");
    expect(correction).toContain("write one ```javascript block");
    expect(textOf(result.messages.at(-1))).toBe("5.");
  });

  it("stops with a message after a bounded number of corrections", async () => {
    const model = new ScriptedChatModel(Array.from({ length: MAX_FORMAT_RETRIES + 1 }, () => "Action: add[2, 3]"));
    const result = await createCodeActAgent({ model, tools: [addTool], executor }).invoke(ask);
    expect(model.calls).toHaveLength(MAX_FORMAT_RETRIES + 1);
    const last = textOf(result.messages.at(-1));
    expect(last).toContain(`could not be read after ${MAX_FORMAT_RETRIES} corrections`);
    expect(last).toContain("ReAct action");
  });
});
