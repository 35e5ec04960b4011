/** Bounded context: older observations are shortened in the prompt, never in state. */
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { createCodeActAgent, createObservationForTests, windowMessages } from "./context-window-helpers.js";
import { js, ScriptedChatModel, textOf } from "./helpers.js";

const executor = new IsolatedVmExecutor({ isolation: "in-process" });
afterAll(() => executor.close());

describe("windowMessages", () => {
  const long = (label: string) => `${label}-start ${"x".repeat(3_000)} ${label}-end`;
  const messages = [
    new HumanMessage("the task"),
    new AIMessage("```js\nstep(1)\n```"),
    createObservationForTests({ output: long("one"), value: "'v1'" }),
    new AIMessage("```js\nstep(2)\n```"),
    createObservationForTests({ output: long("two"), error: { name: "TypeError", message: "bad thing", traceback: "TypeError: bad thing\n    at <cell>:3:1\n    at deep frame" } }),
    new AIMessage("```js\nstep(3)\n```"),
    createObservationForTests({ output: long("three") }),
  ];

  it("keeps the last observations whole and shortens older ones to head, tail, value and error headline", () => {
    const sent = windowMessages(messages, { keepLast: 1, maxOlderChars: 200 });
    expect(sent).toHaveLength(messages.length);
    expect(sent[6]).toBe(messages[6]);
    for (const index of [1, 3, 5]) expect(sent[index]).toBe(messages[index]);
    const first = textOf(sent[2]);
    expect(first).toContain("an older observation, shortened");
    expect(first).toContain("one-start");
    expect(first).toContain("one-end");
    expect(first).toMatch(/characters truncated/);
    expect(first).toContain("Value: 'v1'");
    expect(first.length).toBeLessThan(600);
    const second = textOf(sent[4]);
    expect(second).toContain("Error: TypeError: bad thing");
    expect(second).not.toContain("deep frame");
    // The originals are untouched.
    expect(textOf(messages[2])).toContain("x".repeat(3_000));
  });

  it("says a plain Error's headline once, as the whole observation does", () => {
    const plain = [
      createObservationForTests({ output: long("four"), error: { name: "Error", message: "boom" } }),
      new AIMessage("```js\nstep(5)\n```"),
      createObservationForTests({ output: "last" }),
    ];
    const shortened = textOf(windowMessages(plain, { keepLast: 1, maxOlderChars: 200 })[0]);
    expect(shortened).toContain("Error: boom");
    expect(shortened).not.toContain("Error: Error");
  });

  it("sends everything whole when the window holds every observation", () => {
    const sent = windowMessages(messages, { keepLast: 3, maxOlderChars: 200 });
    sent.forEach((message, index) => expect(message).toBe(messages[index]));
  });
});

describe("contextWindow in the graph", () => {
  it("shortens only what the model is sent; the state keeps every observation whole", async () => {
    const step = (n: number) => js(`console.log("step-${n} " + "y".repeat(4000) + " end-${n}")`);
    const model = new ScriptedChatModel([step(1), step(2), step(3), step(4), "Done."]);
    const agent = createCodeActAgent({ model, executor, contextWindow: { keepLast: 2, maxOlderChars: 300 } });
    const result = await agent.invoke({ messages: [{ role: "user", content: "go" }] });
    const lastPrompt = model.calls[4] ?? [];
    const observations = lastPrompt.filter((message) => message.additional_kwargs?.["codeact"] === "observation").map(textOf);
    expect(observations).toHaveLength(4);
    expect(observations.slice(0, 2).every((text) => text.includes("an older observation, shortened") && text.length < 1_000)).toBe(true);
    expect(observations.slice(2).every((text) => text.includes("y".repeat(4000)))).toBe(true);
    const kept = result.messages.filter((message) => message.additional_kwargs?.["codeact"] === "observation").map(textOf);
    expect(kept.every((text) => text.includes("y".repeat(4000)))).toBe(true);
  });

  it("rejects a window that cannot work", () => {
    const model = new ScriptedChatModel([]);
    expect(() => createCodeActAgent({ model, contextWindow: -1 })).toThrow(/contextWindow.keepLast` must be a whole number/);
    expect(() => createCodeActAgent({ model, contextWindow: { maxOlderChars: 5 } })).toThrow(/maxOlderChars` must be a whole number of at least 40/);
  });
});
