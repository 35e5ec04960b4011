/**
 * Bounded context on a long task: a scripted 30-step run whose every cell
 * prints ~2 KB of data (as real cells print rows, logs, listings). Counts
 * the prompt tokens sent over the whole run, and in its last call, with
 * `contextWindow: 3` beside the same run sending every observation whole.
 */
import type { BaseMessage } from "@langchain/core/messages";
import { IsolatedVmExecutor } from "../src/executors/isolated-vm/index.js";
import { createCodeActAgent } from "../src/index.js";
import { messageText } from "../src/shared/message-text.js";
import { countTokens } from "./prompt-size.js";
import { ScriptedChatModel } from "./scripted-chat-model.js";
import { figure, type BenchFigure } from "./stats.js";

const GROUP = "Bounded context";

export interface ContextWindowBenchOptions {
  steps: number;
}
export const CONTEXT_WINDOW_FULL: ContextWindowBenchOptions = { steps: 30 };
export const CONTEXT_WINDOW_QUICK: ContextWindowBenchOptions = { steps: 6 };

/** Counts the prompt tokens of every call of the scripted model. */
class CountingModel extends ScriptedChatModel {
  readonly prompts: number[] = [];

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]) {
    this.prompts.push(countTokens(messages.map((message) => messageText(message.content)).join("\n")));
    return super._generate(messages, options);
  }
}

function cell(step: number): string {
  return (
    "```javascript\n" +
    `const rows = Array.from({ length: 40 }, (_, i) => ({ id: ${step} * 100 + i, name: "item-" + i, score: (i * 37) % 101 }));\n` +
    "console.log(JSON.stringify(rows));\n" +
    `rows.length + ${step}\n` +
    "```"
  );
}

async function run(steps: number, contextWindow: number | undefined, executor: IsolatedVmExecutor): Promise<number[]> {
  const script = [...Array.from({ length: steps }, (_, index) => ({ content: cell(index + 1) })), { content: "Done." }];
  const model = new CountingModel(script);
  const agent = createCodeActAgent({ model, executor, maxSteps: steps + 1, ...(contextWindow !== undefined && { contextWindow }) });
  await agent.invoke({ messages: [{ role: "user", content: "Process the batches one by one." }] });
  return model.prompts;
}

export async function runContextWindowBench(options: ContextWindowBenchOptions): Promise<BenchFigure[]> {
  const executor = new IsolatedVmExecutor({ isolation: "in-process" });
  try {
    const whole = await run(options.steps, undefined, executor);
    const windowed = await run(options.steps, 3, executor);
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    return [
      figure({
        group: GROUP,
        name: `prompt tokens over a ${options.steps}-step task, contextWindow: 3`,
        value: sum(windowed),
        unit: "tokens",
        baseline: { name: "every observation whole", value: sum(whole) },
      }),
      figure({
        group: GROUP,
        name: `prompt tokens of the last call (step ${options.steps + 1}), contextWindow: 3`,
        value: windowed.at(-1) ?? 0,
        unit: "tokens",
        baseline: { name: "every observation whole", value: whole.at(-1) ?? 0 },
      }),
    ];
  } finally {
    await executor.close();
  }
}
