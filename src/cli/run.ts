/**
 * Runs one task with a CodeAct agent and reports what happened, step by
 * step, to a {@link Renderer} while it happens and as a {@link RunReport} at
 * the end.
 *
 * @module
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { NODE_EXECUTE, OUTPUT_STREAM_TYPE } from "../graph/constants.js";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { createCodeActAgent } from "../graph/create-codeact-graph.js";
import { messageText } from "../graph/extract-code.js";
import { CODEACT_MESSAGE_KEY, STOPPED_MARK } from "../graph/messages.js";
import { ExecutorError } from "../executors/errors.js";
import type {
  ExecuteRequest,
  ExecuteResult,
  ExecutionError,
  Executor,
} from "../executors/types.js";
import {
  EXIT_ANSWERED,
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_MAX_STEPS,
  type ExitCode,
} from "./exit-codes.js";
import type { Renderer } from "./render.js";
import { saveRichOutputs } from "./saved-outputs.js";

/** Where `ChatOpenAI` goes without a base URL. */
const OPENAI_DEFAULT_URL = "https://api.openai.com/v1";

/** How a run ended. */
export type RunStatus = "answered" | "max_steps" | "failed" | "interrupted";

/** One executed code action. */
export interface StepReport {
  /** Counts from 1. */
  step: number;
  code: string;
  output: string;
  value?: string;
  error?: ExecutionError;
  /** Files the step's displayed images and HTML were written to. */
  files?: string[];
  durationMs: number;
}

/** The outcome of a run; `--json` prints it. */
export interface RunReport {
  status: RunStatus;
  exitCode: ExitCode;
  /** The final answer, when `status` is `"answered"`. */
  answer: string | null;
  /** Why the run ended without an answer (stop message or failure), in words. */
  message?: string;
  /** The failure, when `status` is `"failed"`. */
  error?: { name: string; message: string; stack?: string };
  steps: StepReport[];
  stepCount: number;
  durationMs: number;
}

export interface RunTaskOptions {
  task: string;
  model: BaseChatModel;
  executor: Executor;
  maxSteps: number;
  /**
   * Stream model tokens. This also makes `ChatOpenAI` with `streaming: true`
   * go through its streaming path: its non-streaming `invoke()` estimates
   * token usage with tiktoken, which it downloads (minutes offline).
   */
  streamModel: boolean;
  renderer: Renderer;
  signal?: AbortSignal;
  /** The model server's URL, named in failure messages. */
  modelServerUrl?: string;
  /** Run config that turns tracing on (callbacks, run id), from `createTraceSession`. */
  traceConfig?: RunnableConfig;
  /** Send displayed images to the model (`--images`). */
  includeImages?: boolean;
  /** Write displayed images and HTML here (`--outputs-dir`); not written without it. */
  outputsDir?: string;
  /** Tools for the agent (the MCP servers' from `--mcp`). */
  tools?: StructuredToolInterface[];
}

/**
 * Runs the task to its end. Never throws: failures and interrupts are
 * reported in the result, with the steps that ran before them.
 */
export async function runTask(options: RunTaskOptions): Promise<RunReport> {
  const started = performance.now();
  const { renderer, signal } = options;
  const executor = new RecordingExecutor(options.executor);
  const steps: StepReport[] = [];
  const finish = (
    report: Omit<RunReport, "steps" | "stepCount" | "durationMs">
  ): RunReport => ({
    ...report,
    steps,
    stepCount: steps.length,
    durationMs: Math.round(performance.now() - started),
  });

  try {
    const agent = createCodeActAgent({
      model: options.model,
      executor,
      maxSteps: options.maxSteps,
      ...(options.tools !== undefined && options.tools.length > 0 && { tools: options.tools }),
      includeImagesInObservation: options.includeImages ?? false,
    });
    // Stream modes: "tasks" marks each cell's start and end, "custom" carries
    // its live output, "values" the final state; all arrive in order.
    const stream = await agent.stream(
      { messages: [new HumanMessage(options.task)] },
      {
        ...options.traceConfig,
        streamMode: options.streamModel
          ? ["tasks", "custom", "values", "messages"]
          : ["tasks", "custom", "values"],
        ...(signal !== undefined && { signal }),
      }
    );
    let messages: BaseMessage[] = [];
    for await (const chunk of stream) {
      const [mode, payload] = chunk as unknown as [string, unknown];
      if (mode === "custom" && isOutputChunk(payload)) {
        renderer.output(payload.chunk);
      } else if (mode === "tasks" && isExecuteTask(payload)) {
        if ("input" in payload) {
          renderer.stepStart(steps.length + 1, codeOf(payload.input), executor.language, replyTextOf(payload.input));
        } else if (payload.error === undefined || payload.error === null) {
          const record = executor.records[steps.length];
          if (record !== undefined) {
            const step = steps.length + 1;
            const saved =
              options.outputsDir === undefined ? [] : await saveRichOutputs(record.result.outputs, options.outputsDir, step).catch(() => []);
            steps.push({ ...toStep(step, record.request, record.result), ...(saved.length > 0 && { files: saved.map((file) => file.path) }) });
            renderer.stepEnd(record.result, saved);
          }
        }
      } else if (mode === "values" && isState(payload)) {
        messages = payload.messages;
      }
    }
    const last = messages.at(-1);
    if (!AIMessage.isInstance(last)) {
      return finish({
        status: "failed",
        exitCode: EXIT_FAILED,
        answer: null,
        message: "the run ended without a reply from the model",
        error: { name: "Error", message: "the run ended without a reply from the model" },
      });
    }
    const text = messageText(last.content);
    if (last.additional_kwargs?.[CODEACT_MESSAGE_KEY] === STOPPED_MARK) {
      return finish({ status: "max_steps", exitCode: EXIT_MAX_STEPS, answer: null, message: text });
    }
    return finish({ status: "answered", exitCode: EXIT_ANSWERED, answer: text });
  } catch (error) {
    if (signal?.aborted === true) {
      return finish({
        status: "interrupted",
        exitCode: EXIT_INTERRUPTED,
        answer: null,
        message: "interrupted",
      });
    }
    const failure = toError(error);
    return finish({
      status: "failed",
      exitCode: EXIT_FAILED,
      answer: null,
      message: describeFailure(failure, options),
      error: {
        name: failure.name,
        message: failure.message,
        ...(failure.stack !== undefined && { stack: failure.stack }),
      },
    });
  }
}

interface ExecutionRecord {
  request: ExecuteRequest;
  result: ExecuteResult;
}

/**
 * Passes everything through to the real executor and keeps each cell's
 * request and structured result: the graph's observations are text for the
 * model, while `--json` and the renderer want the fields.
 */
class RecordingExecutor implements Executor {
  readonly records: ExecutionRecord[] = [];
  readonly #inner: Executor;

  constructor(inner: Executor) {
    this.#inner = inner;
  }

  get name(): string {
    return this.#inner.name;
  }

  get language(): Executor["language"] {
    return this.#inner.language;
  }

  get description(): string | undefined {
    return this.#inner.description;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    const result = await this.#inner.execute(request);
    this.records.push({ request, result });
    return result;
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

function toStep(step: number, request: ExecuteRequest, result: ExecuteResult): StepReport {
  return {
    step,
    code: request.code,
    output: result.output,
    ...(result.value !== undefined && { value: result.value }),
    ...(result.error !== undefined && { error: result.error }),
    durationMs: Math.round(result.durationMs),
  };
}

function isOutputChunk(payload: unknown): payload is { type: string; chunk: string } {
  return (
    typeof payload === "object" &&
    payload !== null &&
    (payload as { type?: unknown }).type === OUTPUT_STREAM_TYPE &&
    typeof (payload as { chunk?: unknown }).chunk === "string"
  );
}

type ExecuteTaskEvent =
  | { name: string; input: unknown }
  | { name: string; result: unknown; error?: unknown };

function isExecuteTask(payload: unknown): payload is ExecuteTaskEvent {
  return (
    typeof payload === "object" &&
    payload !== null &&
    (payload as { name?: unknown }).name === NODE_EXECUTE
  );
}

/** What the model wrote around its code in the reply being run: the prose before the fence. */
function replyTextOf(input: unknown): string | undefined {
  const messages = (input as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages)) return undefined;
  const reply = [...messages].reverse().find((message) => AIMessage.isInstance(message)) as AIMessage | undefined;
  if (reply === undefined) return undefined;
  const text = messageText(reply.content);
  const fence = text.search(/^[ \t]*(```|~~~|<execute>|<code>)/m);
  return (fence === -1 ? "" : text.slice(0, fence)).trim() || undefined;
}

function codeOf(input: unknown): string {
  const code = (input as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}

function isState(payload: unknown): payload is { messages: BaseMessage[] } {
  return (
    typeof payload === "object" &&
    payload !== null &&
    Array.isArray((payload as { messages?: unknown }).messages)
  );
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Codes of Node network errors that mean the server could not be reached. */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH"]);

/** A one-line explanation of a failed run, naming what failed and where. */
export function describeFailure(
  error: Error,
  context: { executor: Executor; modelServerUrl?: string }
): string {
  const server = context.modelServerUrl ?? OPENAI_DEFAULT_URL;
  if (error instanceof ExecutorError) {
    return `the ${context.executor.name} executor failed (${error.code}): ${error.message}`;
  }
  if (isUnreachable(error)) {
    return `could not reach the model server at ${server}: ${error.message}`;
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number") {
    return `the model server at ${server} answered HTTP ${status}: ${error.message}`;
  }
  return `${error.name}: ${error.message}`;
}

function isUnreachable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return true;
    if (current.name === "APIConnectionError" || current.constructor.name === "APIConnectionError") {
      return true;
    }
    current = current.cause;
  }
  return false;
}
