import { createCodeActAgent, MAX_FORMAT_RETRIES } from "../../src/index.js";
import { FakeExecutor } from "../../src/testing/index.js";
import { ScriptedChatModel, textOf } from "./helpers.js";

const fence = (tag: string, code: string) => `Here is the code.\n\`\`\`${tag}\n${code}\n\`\`\``;
const result = { output: "1\n", outputs: [], durationMs: 1 };

describe("a code block in the language that does not run here", () => {
  it.each([
    ["python", "javascript", "console.log(1)", "print(1)"],
    ["javascript", "python", "print(1)", "console.log(1)"],
  ] as const)("is corrected, not taken as the final answer (%s agent, %s block)", async (language, other, wrong, right) => {
    const executor = new FakeExecutor({ results: [result], language });
    const model = new ScriptedChatModel([fence(other, wrong), fence(language, right), "It printed 1."]);
    const state = await createCodeActAgent({ model, executor }).invoke({ messages: [{ role: "user", content: "Print 1." }] });
    const texts = state.messages.map(textOf);
    expect(texts.at(-1)).toBe("It printed 1.");
    const correction = texts[2] ?? "";
    expect(correction).toContain("did not run");
    expect(correction).toContain(`only ${language === "python" ? "Python" : "JavaScript"} runs here`);
    // Only the code in the right language ran.
    expect(executor.executeCalls.map((request) => request.code)).toEqual([right]);
  });

  it("stops after a bounded number of corrections, saying why", async () => {
    const executor = new FakeExecutor({ results: [], language: "python" });
    const replies = Array.from({ length: MAX_FORMAT_RETRIES + 1 }, () => fence("javascript", "console.log(1)"));
    const state = await createCodeActAgent({ model: new ScriptedChatModel(replies), executor }).invoke({
      messages: [{ role: "user", content: "Print 1." }],
    });
    expect(textOf(state.messages.at(-1))).toMatch(/kept writing javascript after 3 corrections, and only python runs here/);
    expect(executor.executeCalls).toHaveLength(0);
  });

  it("leaves illustrative blocks (bash, json) of a final answer alone", async () => {
    const executor = new FakeExecutor({ results: [], language: "python" });
    const answer = "Run it with:\n```bash\npython main.py\n```";
    const state = await createCodeActAgent({ model: new ScriptedChatModel([answer]), executor }).invoke({
      messages: [{ role: "user", content: "How do I run it?" }],
    });
    expect(textOf(state.messages.at(-1))).toBe(answer);
  });
});
