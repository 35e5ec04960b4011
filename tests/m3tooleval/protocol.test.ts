import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { IsolatedVmExecutor } from "../../src/executors/isolated-vm/index.js";
import { loadTasks, type M3Task } from "../../bench/m3tooleval/data.js";
import { DEFAULT_MAX_TURNS, RETRY_MESSAGE, runTask } from "../../bench/m3tooleval/runner.js";

jest.setTimeout(60_000);

/** A chat model whose reply is a function of the messages it is given; records every call's messages. */
class FunctionChatModel extends BaseChatModel {
  readonly calls: BaseMessage[][] = [];
  readonly #reply: (messages: BaseMessage[], call: number) => AIMessage;

  constructor(reply: (messages: BaseMessage[], call: number) => AIMessage) {
    super({});
    this.#reply = reply;
  }

  _llmType(): string {
    return "m3tooleval-test-function";
  }

  override bindTools(): this {
    return this;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.calls.push(messages);
    const message = this.#reply(messages, this.calls.length);
    return { generations: [{ text: typeof message.content === "string" ? message.content : "", message }] };
  }
}

function toolCall(name: string, args: Record<string, unknown>): AIMessage {
  return new AIMessage({ content: "", tool_calls: [{ id: `call_${Math.random().toString(36).slice(2)}`, name, args, type: "tool_call" }] });
}

function humanTexts(messages: readonly BaseMessage[]): string[] {
  return messages.filter((message) => HumanMessage.isInstance(message)).map((message) => String(message.content));
}

const task: M3Task = (() => {
  const found = loadTasks().find((candidate) => candidate.name === "trade_calculator/estimate_final_value");
  if (!found) throw new Error("task missing");
  return found;
})();

describe("M3ToolEval protocol in JSON mode (createReactAgent)", () => {
  it("retries after a wrong answer and counts the turns across the retry", async () => {
    const model = new FunctionChatModel((messages) => {
      const tools = messages.filter((message) => ToolMessage.isInstance(message));
      if (tools.length === 0) return toolCall("calculate_tariff", { price: 150, tariff_rate: 7.5 });
      if (tools.length === 1) return toolCall("estimate_final_value", { price: 150, tariff: Number(tools[0]?.content) });
      // Wrong first; after the retry message, the last tool result.
      return new AIMessage(`Answer: ${humanTexts(messages).includes(RETRY_MESSAGE) ? String(tools[1]?.content) : "150"}`);
    });
    const result = await runTask({ task, mode: "json", model });
    expect(result).toMatchObject({ answer: "161.25", turns: 4, success: { faithful: true, normalized: true } });
    expect(result.error).toBeUndefined();
    expect(model.calls).toHaveLength(4);
    // The retry went to the same thread: the fourth call saw everything before it.
    expect(humanTexts(model.calls[3] ?? [])).toEqual([task.instruction, RETRY_MESSAGE]);
  });

  it("stops a model that never answers after 10 turns and records the failure", async () => {
    const model = new FunctionChatModel(() => toolCall("calculate_tariff", { price: 150, tariff_rate: 7.5 }));
    const result = await runTask({ task, mode: "json", model });
    expect(result).toMatchObject({ answer: null, turns: DEFAULT_MAX_TURNS, success: { faithful: false, normalized: false } });
    expect(result.error).toBeUndefined();
    expect(model.calls).toHaveLength(DEFAULT_MAX_TURNS);
  });

  it("gives a model that always answers wrong 10 turns, 9 retries, and keeps its last answer", async () => {
    const model = new FunctionChatModel((_messages, call) => new AIMessage(`Answer: ${call}`));
    const result = await runTask({ task, mode: "json", model });
    expect(result).toMatchObject({ answer: "10", turns: DEFAULT_MAX_TURNS, success: { faithful: false, normalized: false } });
    expect(model.calls).toHaveLength(DEFAULT_MAX_TURNS);
    expect(humanTexts(model.calls.at(-1) ?? []).filter((text) => text === RETRY_MESSAGE)).toHaveLength(9);
  });

  it("honours a smaller turn budget", async () => {
    const model = new FunctionChatModel(() => toolCall("calculate_tariff", { price: 150, tariff_rate: 7.5 }));
    const result = await runTask({ task, mode: "json", model, maxTurns: 3 });
    expect(result.turns).toBe(3);
    expect(model.calls).toHaveLength(3);
  });
});

describe("M3ToolEval protocol in CodeAct mode (isolated-vm)", () => {
  let executor: IsolatedVmExecutor;
  beforeAll(() => {
    executor = new IsolatedVmExecutor({ maxOutputChars: 2000 });
  });
  afterAll(async () => {
    await executor.close();
  });

  const code = "```javascript\nconsole.log(await estimate_final_value(150, await calculate_tariff(150, 7.5)));\n```";

  it("retries after a wrong answer and counts the turns across the retry", async () => {
    const model = new FunctionChatModel((messages) => {
      const last = String(messages.at(-1)?.content ?? "");
      if (last === task.instruction) return new AIMessage(code);
      if (last === RETRY_MESSAGE) return new AIMessage("Answer: 161.25");
      return new AIMessage("Answer: 42");
    });
    const result = await runTask({ task, mode: "codeact-js", model, executor });
    expect(result).toMatchObject({ answer: "161.25", turns: 3, success: { normalized: true } });
    expect(model.calls).toHaveLength(3);
  });

  it("stops a model that only ever writes code after 10 turns", async () => {
    const model = new FunctionChatModel(() => new AIMessage(code));
    const result = await runTask({ task, mode: "codeact-js", model, executor });
    expect(result).toMatchObject({ answer: null, turns: DEFAULT_MAX_TURNS, success: { normalized: false } });
    expect(result.error).toBeUndefined();
    expect(model.calls).toHaveLength(DEFAULT_MAX_TURNS);
  });
});
