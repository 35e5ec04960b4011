import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { BaseCheckpointSaver, BaseStore } from "@langchain/langgraph";
import type { ZodType } from "zod";
import type { Executor } from "../executors/types.js";
import type { ToolApprovalPolicy } from "./tool-approval/types.js";
import type { ContextWindowOptions } from "./context-window.js";

/**
 * Decides whether a code action needs a human's approval before it runs:
 * `true` for every action, or a predicate on the code (return `true` to ask).
 */
export type ApprovalPolicy = boolean | ((code: string) => boolean);

/** Parameters of {@link createCodeActGraph} and {@link createCodeActAgent}. */
export interface CreateCodeActParams {
  /**
   * Any LangChain chat model. It needs no tool-calling support: it acts by
   * writing a fenced code block in the executor's language.
   */
  model: BaseChatModel;
  /**
   * LangChain tools the code can call as functions (`await search({ query })`
   * in JavaScript, `search(query=...)` in Python). Names are turned into
   * identifiers; two tools that end up with the same identifier are an error.
   * Inputs are validated with each tool's own schema on the host.
   * @defaultValue `[]`
   */
  tools?: StructuredToolInterface[];
  /**
   * Runs the code. The caller owns it and closes it when done.
   * @defaultValue an `IsolatedVmExecutor` (JavaScript), created and loaded
   * on first use, so importing this package never loads the native module.
   */
  executor?: Executor;
  /** Extra instructions, appended to the generated system prompt. */
  prompt?: string;
  /**
   * Lazy tool discovery: with more tools than this, the system prompt
   * declares only a search function (`searchTools(query, { limit })` in
   * JavaScript, `search_tools(query, limit)` in Python) and the tools' names;
   * the code searches, reads the matching declarations, then calls the tools,
   * which all stay defined in the sandbox. Keeps the prompt small with
   * hundreds of tools. `0` always searches.
   * @defaultValue `undefined`: every tool is declared
   */
  lazyToolsThreshold?: number;
  /**
   * Code executions allowed in one user turn. When they are spent without a
   * final answer the agent ends the turn with a message that says so.
   * @defaultValue `20`
   */
  maxSteps?: number;
  /**
   * Interrupt before running code so a human can approve, edit or reject it:
   * `true` for every action, or a predicate that returns `true` for the code
   * that needs a look. Needs a checkpointer. The interrupt value is
   * `{ type: "codeact_approval", code, language }`; resume with
   * `new Command({ resume: { action: "approve" } })`,
   * `{ action: "edit", code }` or `{ action: "reject", reason? }`.
   * @defaultValue `false`
   */
  approve?: ApprovalPolicy;
  /**
   * Let the code run, and stop only when it calls a tool with side effects:
   * the names of the tools that need a human's approval (as given, or as the
   * code calls them), or a predicate `(name, args) => boolean`. Needs a
   * checkpointer. The run stops with the interrupt
   * `{ type: "codeact_tool_approval", tool, args, code, language, call }`
   * (arguments already checked against the tool's schema); resume with
   * `new Command({ resume: { action: "approve" } })`, `{ action: "edit", args }`
   * or `{ action: "reject", reason? }` — a rejected call throws
   * `ToolRejectedError` in the code, which it can catch. The cell goes on
   * after each answer. A resume in another process (or after a restart)
   * re-runs the cell from the state it started from, answering the calls
   * that already happened from a record kept in state: no tool runs twice.
   * @defaultValue no tool call waits
   */
  approveToolCalls?: ToolApprovalPolicy;
  /**
   * A zod schema for a structured final answer. The model is asked to end with
   * JSON matching it; the validated value is written to
   * `state.structuredResponse`, and an invalid answer is sent back to the
   * model with the validation error.
   */
  responseFormat?: ZodType;
  /**
   * Bounded context for long tasks: the last `keepLast` observations are
   * sent to the model whole, older ones shortened (output and value to their
   * head and tail, an error to its headline, images to a note), so each step
   * adds a bounded amount to later prompts. The model's code is sent whole;
   * graph state, traces and the inspector keep every observation whole. A
   * number is `keepLast`.
   * @defaultValue every observation is sent whole
   */
  contextWindow?: number | ContextWindowOptions;
  /**
   * For a model that keeps failing the code format: after this many
   * consecutive replies that could not be read, the thread switches to plain
   * JSON tool calls (the same tools, bound to the model, `createReactAgent`-
   * style) for the rest of its life. The switch is in `state.actionMode`,
   * told to the model, and recorded in the trace (`codeact_action_mode`).
   * Needs a chat model with tool calling.
   * @defaultValue off: the turn ends after `MAX_FORMAT_RETRIES` corrections
   */
  toolCallingFallback?: number;
  /**
   * Send images the code displays (plots, screenshots) to the model as image
   * content blocks. Only for models that accept images.
   * @defaultValue `false`
   */
  includeImagesInObservation?: boolean;
  /**
   * Persists threads between invocations (and is needed for `approve`).
   * Only used by {@link createCodeActAgent}; leave it out when a LangGraph
   * server supplies one.
   */
  checkpointer?: BaseCheckpointSaver | boolean;
  /** Long-term store made available to nodes and tools. Only used by {@link createCodeActAgent}. */
  store?: BaseStore;
  /**
   * Name of the compiled graph: shown in Studio and traces, and the agent's
   * name under a supervisor. Only used by {@link createCodeActAgent}.
   * @defaultValue `"codeact_agent"`
   */
  name?: string;
  /**
   * What the agent does, for a supervisor deciding whom to hand off to. Only
   * used by {@link createCodeActAgent}.
   */
  description?: string;
}

/**
 * What the nodes read: the agent's params without the compile-time ones.
 * Pass the same object to all three node factories (or use
 * {@link createCodeActNodes}) and they share one resolution: one executor,
 * one prompt, the same tools — exactly as {@link createCodeActGraph}'s nodes.
 */
export type CodeActNodeParams = Omit<CreateCodeActParams, "checkpointer" | "store" | "name" | "description">;

/** Parameters of {@link createModelNode} (`model` is required). */
export type ModelNodeParams = CodeActNodeParams;

/** Parameters of {@link createRouteNode}. */
export type RouteNodeParams = Partial<CodeActNodeParams>;

/** Parameters of {@link createExecuteNode}. */
export type ExecuteNodeParams = Partial<CodeActNodeParams>;
