/**
 * Runs M3ToolEval tasks with upstream's protocol: at most
 * {@link DEFAULT_MAX_TURNS} model generations per task; a wrong final answer
 * gets {@link RETRY_MESSAGE} as a new user message on the same thread (turns
 * count across retries); observations are capped at 2,000 characters.
 */
import { randomUUID } from "node:crypto";
import type { CallbackHandlerMethods } from "@langchain/core/callbacks/base";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import type { Executor } from "../../src/executors/types.js";
import { createCodeActAgent, messageText } from "../../src/index.js";
import { checkAnswer, extractAnswer, type CheckResult } from "./checkers.js";
import type { M3Domain, M3Task } from "./data.js";
import { createM3Tools } from "./tools/index.js";

/** Upstream's turn budget per task (model generations, retries included). */
export const DEFAULT_MAX_TURNS = 10;

/** What upstream tells the model after a wrong answer. */
export const RETRY_MESSAGE = "Your answer is incorrect. Please try again";

/** The action modes the runner compares. */
export type M3Mode = "codeact-js" | "codeact-python" | "json";

/**
 * Appended to the CodeAct agent's own system prompt: upstream asks for
 * `Answer: ...`; our agent ends a turn with a reply that has no code block,
 * so the answer is read from that reply, preferring an `Answer:` line.
 */
export const CODEACT_ANSWER_PROMPT = [
  "When you know the final answer, reply WITHOUT any code block and put the answer on its own line starting with 'Answer:', e.g. 'Answer: 12.34'.",
  "Please ONLY output the answer (e.g., single number), without any other text.",
].join("\n");

/** System prompt of the JSON (tool-calling) baseline. */
export const JSON_SYSTEM_PROMPT = [
  "You are a helpful assistant. Use the tools (one call at a time) to solve the task.",
  "When you are done, reply without calling a tool and put the result on a line starting with 'Answer:', e.g. 'Answer: 12.34'.",
  "Please ONLY output the answer (e.g., single number), without any other text.",
].join("\n");

/** One task's outcome, a line of the results JSONL. */
export interface M3Result {
  task: string;
  domain: M3Domain;
  mode: M3Mode;
  success: CheckResult;
  /** Model generations (AI messages) used, retries included. */
  turns: number;
  /** The last final answer extracted, or null if the model never gave one. */
  answer: string | null;
  error?: string;
  durationMs: number;
  /** Prompt tokens over the task, as the model server reported them (absent when it reports none). */
  inputTokens?: number;
  /** CodeAct modes: `"tool_calling"` when the fallback switched the task's thread. */
  actionMode?: string;
}

/** Options of {@link runTask}. */
export interface RunTaskOptions {
  task: M3Task;
  mode: M3Mode;
  model: BaseChatModel;
  /** Required for the CodeAct modes; shared by tasks (one session per task). */
  executor?: Executor;
  /** @defaultValue {@link DEFAULT_MAX_TURNS} */
  maxTurns?: number;
  /** CodeAct modes: the agent's `contextWindow` (observations sent whole). */
  contextWindow?: number;
  /** CodeAct modes: the agent's `toolCallingFallback`. */
  toolCallingFallback?: number;
}

/** Is this a generation of the model (not the agent's own "I stopped" note)? */
function isGeneration(message: BaseMessage): boolean {
  return AIMessage.isInstance(message) && message.additional_kwargs?.codeact !== "stopped";
}

function countTurns(messages: readonly BaseMessage[]): number {
  return messages.filter(isGeneration).length;
}

class TurnBudgetExceeded extends Error {}

/**
 * Aborts a run when the model is called more than `budget` times: the
 * CodeAct graph's `maxSteps` must be at least 1, so the last turn needs this
 * guard.
 */
function turnGuard(budget: number): { signal: AbortSignal; handler: CallbackHandlerMethods } {
  const controller = new AbortController();
  let calls = 0;
  const handler: CallbackHandlerMethods = {
    handleChatModelStart: () => {
      calls += 1;
      if (calls > budget) controller.abort(new TurnBudgetExceeded("turn budget spent"));
    },
  };
  return { signal: controller.signal, handler };
}

/** Runs one task to success or until its turns are spent. */
export async function runTask(options: RunTaskOptions): Promise<M3Result> {
  const { task, mode, model } = options;
  const maxTurns = options.maxTurns ?? DEFAULT_MAX_TURNS;
  const started = Date.now();
  const result: M3Result = {
    task: task.name,
    domain: task.domain,
    mode,
    success: { faithful: false, normalized: false },
    turns: 0,
    answer: null,
    durationMs: 0,
  };
  const tools = createM3Tools(task.domain, {
    resultFormat: mode === "json" ? "python-str" : "value",
  });
  const checkpointer = new MemorySaver();
  const threadId = `m3-${randomUUID()}`;
  const config = { configurable: { thread_id: threadId } };
  let userMessage = task.instruction;

  try {
    while (result.turns < maxTurns) {
      const remaining = maxTurns - result.turns;
      const guard = turnGuard(remaining);
      let messages: BaseMessage[];
      if (mode === "json") {
        const agent = createReactAgent({ llm: model, tools, prompt: JSON_SYSTEM_PROMPT, checkpointer });
        try {
          await agent.invoke(
            { messages: [new HumanMessage(userMessage)] },
            // Generation k runs at superstep 2k - 1.
            { ...config, recursionLimit: 2 * remaining, signal: guard.signal, callbacks: [guard.handler] }
          );
        } catch (error) {
          if (!isBudgetStop(error)) throw error;
        }
        messages = ((await agent.getState(config)).values as { messages: BaseMessage[] }).messages;
      } else {
        if (!options.executor) throw new Error(`mode ${mode} needs an executor`);
        const agent = createCodeActAgent({
          model,
          tools,
          executor: options.executor,
          prompt: CODEACT_ANSWER_PROMPT,
          maxSteps: Math.max(1, remaining - 1),
          checkpointer,
          ...(options.contextWindow !== undefined && { contextWindow: options.contextWindow }),
          ...(options.toolCallingFallback !== undefined && { toolCallingFallback: options.toolCallingFallback }),
        });
        try {
          await agent.invoke(
            { messages: [new HumanMessage(userMessage)] },
            { ...config, signal: guard.signal, callbacks: [guard.handler] }
          );
        } catch (error) {
          if (!isBudgetStop(error)) throw error;
        }
        const values = (await agent.getState(config)).values as { messages: BaseMessage[]; actionMode?: string };
        messages = values.messages;
        if (values.actionMode !== undefined && values.actionMode !== "code") result.actionMode = values.actionMode;
      }
      const tokens = inputTokensOf(messages);
      if (tokens !== undefined) result.inputTokens = tokens;
      const turnsBefore = result.turns;
      result.turns = Math.min(maxTurns, countTurns(messages));
      const last = messages.at(-1);
      // A reply with tool calls is not an answer (the JSON baseline, or a thread the fallback switched).
      const finished = last !== undefined && isGeneration(last) && ((last as AIMessage).tool_calls ?? []).length === 0;
      // No final answer (budget spent mid-action) or no progress: the task is over.
      if (!finished || result.turns <= turnsBefore || guard.signal.aborted) {
        if (finished) scoreAnswer(result, last, task);
        break;
      }
      if (scoreAnswer(result, last, task)) break;
      userMessage = RETRY_MESSAGE;
    }
  } catch (error) {
    result.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  result.durationMs = Date.now() - started;
  return result;
}

/** Prompt tokens the server reported for the thread's generations, if it reported any. */
function inputTokensOf(messages: readonly BaseMessage[]): number | undefined {
  let total: number | undefined;
  for (const message of messages) {
    const usage = AIMessage.isInstance(message) ? message.usage_metadata : undefined;
    if (usage !== undefined) total = (total ?? 0) + usage.input_tokens;
  }
  return total;
}

function scoreAnswer(result: M3Result, message: BaseMessage, task: M3Task): boolean {
  result.answer = extractAnswer(messageText(message.content));
  result.success = checkAnswer(result.answer, task);
  return result.success.normalized || result.success.faithful;
}

function isBudgetStop(error: unknown): boolean {
  if (error instanceof TurnBudgetExceeded) return true;
  if (error instanceof Error) {
    return (
      error.name === "GraphRecursionError" ||
      error.name === "AbortError" ||
      error.cause instanceof TurnBudgetExceeded ||
      /turn budget spent|abort/i.test(error.message)
    );
  }
  return false;
}

/** Runs `work` over `items` with at most `concurrency` in flight, in order of results. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Success rates and average turns, overall and per domain. */
export interface M3Summary {
  rows: Array<{
    group: string;
    tasks: number;
    faithful: number;
    normalized: number;
    averageTurns: number;
    /** Mean prompt tokens per task, over the tasks whose server reported them; null when none did. */
    averageInputTokens: number | null;
  }>;
}

/** Aggregates results; failures count the turns they used (10 when spent). */
export function summarize(results: readonly M3Result[]): M3Summary {
  const groups = new Map<string, M3Result[]>([["overall", [...results]]]);
  for (const result of results) {
    const list = groups.get(result.domain) ?? [];
    list.push(result);
    groups.set(result.domain, list);
  }
  return {
    rows: [...groups].map(([group, list]) => ({
      group,
      tasks: list.length,
      faithful: list.filter((result) => result.success.faithful).length / Math.max(1, list.length),
      normalized: list.filter((result) => result.success.normalized).length / Math.max(1, list.length),
      averageTurns: list.reduce((total, result) => total + result.turns, 0) / Math.max(1, list.length),
      averageInputTokens: averageTokens(list),
    })),
  };
}

function averageTokens(list: readonly M3Result[]): number | null {
  const reported = list.filter((result) => result.inputTokens !== undefined);
  return reported.length === 0 ? null : reported.reduce((total, result) => total + (result.inputTokens ?? 0), 0) / reported.length;
}

/** The summary as a fixed-width text table. */
export function formatSummary(summary: M3Summary): string {
  const header = ["group", "tasks", "success (faithful)", "success (normalized)", "avg turns", "avg prompt tokens"];
  const rows = summary.rows.map((row) => [
    row.group,
    String(row.tasks),
    `${(row.faithful * 100).toFixed(1)}%`,
    `${(row.normalized * 100).toFixed(1)}%`,
    row.averageTurns.toFixed(2),
    row.averageInputTokens === null ? "-" : Math.round(row.averageInputTokens).toString(),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ");
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}
