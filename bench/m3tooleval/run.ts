/**
 * CLI: `npm run eval:m3 -- --mode codeact-js|codeact-python|json --model <name>
 *   --base-url <url> [--api-key <key>] [--tasks <substring>] [--limit N]
 *   [--concurrency N] [--out results.jsonl] [--oracle] [--jupyter-url <url>
 *   --jupyter-token <token>] [--max-tokens N] [--context-window K] [--fallback N]`
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import type { Executor } from "../../src/executors/types.js";
import { loadTasks, type M3Task } from "./data.js";
import { JsonOracle, JsonOracleChatModel } from "./json-oracle.js";
import { JAVASCRIPT_ORACLES } from "./oracle/javascript.js";
import { PYTHON_ORACLES } from "./oracle/python.js";
import { formatSummary, mapWithConcurrency, runTask, summarize, type M3Mode, type M3Result } from "./runner.js";
import { ScriptedChatModel } from "./scripted-model.js";

/** Upstream's generation limit. */
const DEFAULT_MAX_TOKENS = 512;
const DEFAULT_CONCURRENCY = 1;
/** Observations are capped like upstream's. */
const MAX_OUTPUT_CHARS = 2_000;
const MODES: readonly M3Mode[] = ["codeact-js", "codeact-python", "json"];

const { values } = parseArgs({
  options: {
    mode: { type: "string", default: "codeact-js" },
    model: { type: "string" },
    "base-url": { type: "string" },
    "api-key": { type: "string" },
    tasks: { type: "string" },
    limit: { type: "string" },
    concurrency: { type: "string", default: String(DEFAULT_CONCURRENCY) },
    out: { type: "string" },
    oracle: { type: "boolean", default: false },
    "jupyter-url": { type: "string" },
    "jupyter-token": { type: "string" },
    "max-tokens": { type: "string", default: String(DEFAULT_MAX_TOKENS) },
    "context-window": { type: "string" },
    fallback: { type: "string" },
  },
  strict: true,
});

function fail(message: string): never {
  process.stderr.write(`eval:m3: ${message}\n`);
  process.exit(2);
}

const mode = values.mode as M3Mode;
if (!MODES.includes(mode)) fail(`--mode must be one of ${MODES.join(", ")}`);
if (!values.oracle && !values.model) fail("--model is required (or --oracle)");

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) fail(`--${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}
const concurrency = positiveInteger("concurrency", values.concurrency);
const maxTokens = positiveInteger("max-tokens", values["max-tokens"]);
const contextWindow = values["context-window"] === undefined ? undefined : positiveInteger("context-window", values["context-window"]);
const toolCallingFallback = values.fallback === undefined ? undefined : positiveInteger("fallback", values.fallback);
if (mode === "json" && (contextWindow !== undefined || toolCallingFallback !== undefined)) {
  fail("--context-window and --fallback apply to the CodeAct modes (codeact-js, codeact-python)");
}
if (toolCallingFallback !== undefined && toolCallingFallback > 3) fail("--fallback must be 1, 2 or 3 (unreadable replies before switching)");

let tasks: M3Task[] = loadTasks().filter((task) => !values.tasks || task.name.includes(values.tasks));
if (values.limit !== undefined) tasks = tasks.slice(0, positiveInteger("limit", values.limit));
if (tasks.length === 0) fail("no task matches");

async function modelFor(task: M3Task, oracleExecutor: Executor | undefined): Promise<BaseChatModel> {
  if (values.oracle && mode === "json") {
    // The JSON oracle replays the JavaScript reference code one tool call per turn.
    if (!oracleExecutor) throw new Error("the JSON oracle needs an executor");
    return new JsonOracleChatModel({ oracle: await JsonOracle.record(task, oracleExecutor) });
  }
  if (values.oracle) {
    const language = mode === "codeact-python" ? "python" : "javascript";
    const code = (language === "python" ? PYTHON_ORACLES : JAVASCRIPT_ORACLES)[task.name];
    if (code === undefined) fail(`no ${language} oracle for ${task.name}`);
    return new ScriptedChatModel({ code, language });
  }
  return new ChatOpenAI({
    model: values.model,
    temperature: 0,
    maxTokens,
    ...(values["api-key"] !== undefined && { apiKey: values["api-key"] }),
    ...(values["base-url"] !== undefined && { configuration: { baseURL: values["base-url"] } }),
  });
}

// A hand-written one-line progress bar: a dependency is not worth ~15 lines.
function progress(done: number, total: number, passed: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(
    `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} tasks, ${passed} solved`
  );
  if (done === total) process.stderr.write("\n");
}

async function createExecutor(): Promise<{ executor?: Executor; stop(): Promise<void> }> {
  // The JSON oracle runs its reference code in isolated-vm; the agent gets no executor.
  if (mode === "codeact-js" || (mode === "json" && values.oracle)) {
    const { IsolatedVmExecutor } = await import("../../src/executors/isolated-vm/index.js");
    const executor = new IsolatedVmExecutor({ maxOutputChars: MAX_OUTPUT_CHARS });
    return { executor, stop: () => executor.close() };
  }
  if (mode === "codeact-python") {
    const { JupyterExecutor, startLocalJupyter } = await import("../../src/executors/jupyter/index.js");
    const server = values["jupyter-url"]
      ? undefined
      : await startLocalJupyter();
    const executor = new JupyterExecutor({
      baseUrl: values["jupyter-url"] ?? server?.baseUrl ?? "",
      ...((values["jupyter-token"] ?? server?.token) !== undefined && {
        token: values["jupyter-token"] ?? server?.token,
      }),
      maxOutputChars: MAX_OUTPUT_CHARS,
    });
    return {
      executor,
      stop: async () => {
        await executor.close();
        await server?.stop();
      },
    };
  }
  return { stop: async () => undefined };
}

async function main(): Promise<void> {
  const { executor, stop } = await createExecutor();
  const agentExecutor = mode === "json" ? undefined : executor;
  if (values.out) writeFileSync(values.out, "");
  let done = 0;
  let passed = 0;
  let results: M3Result[];
  try {
    results = await mapWithConcurrency(tasks, concurrency, async (task) => {
      const model = await modelFor(task, executor);
      const result = await runTask({
        task,
        mode,
        model,
        ...(agentExecutor && { executor: agentExecutor }),
        ...(contextWindow !== undefined && { contextWindow }),
        ...(toolCallingFallback !== undefined && { toolCallingFallback }),
      });
      done += 1;
      if (result.success.normalized) passed += 1;
      if (values.out) appendFileSync(values.out, `${JSON.stringify(result)}\n`);
      progress(done, tasks.length, passed);
      return result;
    });
  } finally {
    await stop();
  }
  const options = [
    contextWindow !== undefined ? `context window ${contextWindow}` : undefined,
    toolCallingFallback !== undefined ? `tool-calling fallback after ${toolCallingFallback}` : undefined,
  ].filter(Boolean);
  const switched = results.filter((result) => result.actionMode === "tool_calling").length;
  process.stdout.write(
    `M3ToolEval, mode ${mode}, ${values.oracle ? "oracle" : `model ${values.model}`}${options.length > 0 ? ` (${options.join(", ")})` : ""}` +
      `${toolCallingFallback !== undefined ? `; ${switched} task(s) switched to tool calls` : ""}\n`
  );
  process.stdout.write(`${formatSummary(summarize(results))}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
