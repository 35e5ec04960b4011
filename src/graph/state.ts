import { Annotation, MessagesAnnotation } from "@langchain/langgraph";
import type { JsonValue, SessionDefinitions } from "../executors/types.js";
import type { ToolApprovalState } from "./tool-approval/types.js";
import type { ActionMode } from "./tool-calling-fallback.js";

/** First and latest LangGraph superstep of the current invocation. */
export interface StepWindow {
  first: number;
  last: number;
}

/**
 * The state the CodeAct nodes read and write. Extend it for your own graph:
 *
 * ```ts
 * const MyState = Annotation.Root({ ...CodeActState.spec, notes: Annotation<string[]>() });
 * ```
 *
 * Everything here is JSON-safe, so any checkpointer can persist it; nothing
 * live (isolates, sockets) is ever kept in state.
 */
export const CodeActState = Annotation.Root({
  ...MessagesAnnotation.spec,
  /** The code action extracted from the last model reply, or null if it had none. */
  code: Annotation<string | null>({
    reducer: (_previous, next) => next,
    default: () => null,
  }),
  /** Code executions in the current user turn; compared with `maxSteps`. */
  steps: Annotation<number>({
    reducer: (_previous, next) => next,
    default: () => 0,
  }),
  /** JSON-safe snapshot of the session's globals, restored into a new session. */
  variables: Annotation<Record<string, JsonValue>>({
    reducer: (_previous, next) => next,
    default: () => ({}),
  }),
  /**
   * Top-level functions and classes to replay into a new session, and where
   * instances of those classes sit in `variables` (see ExecuteResult.definitions).
   */
  definitions: Annotation<SessionDefinitions | null>({
    reducer: (_previous, next) => next,
    default: () => null,
  }),
  /** Globals that exist in the session but cannot be restored (closures, generators, …). */
  unsavedVariables: Annotation<string[]>({
    reducer: (_previous, next) => next,
    default: () => [],
  }),
  /** The executor's resume token for this thread (e.g. a Jupyter kernel id). */
  resumeToken: Annotation<string | null>({
    reducer: (_previous, next) => next,
    default: () => null,
  }),
  /**
   * Which version of this thread's state the last cell produced (a new id
   * per cell). A process whose live session holds an older version (another
   * worker ran the thread since, or the thread was rewound to an earlier
   * checkpoint) rebuilds it from `variables` before running on it.
   */
  sessionVersion: Annotation<string | null>({
    reducer: (_previous, next) => next,
    default: () => null,
  }),
  /**
   * A cell paused on a tool call that waits for a human (`approveToolCalls`):
   * its code and every call it made so far with how each ended, so any
   * process can finish it. Null when no cell is paused.
   */
  toolApproval: Annotation<ToolApprovalState | null>({
    reducer: (_previous, next) => next,
    default: () => null,
  }),
  /**
   * How the thread acts: `"code"`, or `"tool_calling"` once the
   * `toolCallingFallback` switched it to plain tool calls.
   */
  actionMode: Annotation<ActionMode>({
    reducer: (_previous, next) => next,
    default: () => "code",
  }),
  /** Session id used when the run has no `thread_id` (no checkpointer). */
  sessionId: Annotation<string | null>({
    reducer: (_previous, next) => next,
    default: () => null,
  }),
  /** The validated final answer when `responseFormat` is set. */
  structuredResponse: Annotation<unknown>({
    reducer: (_previous, next) => next,
    default: () => undefined,
  }),
  /**
   * The LangGraph supersteps of the current invocation as seen by the CodeAct
   * nodes (first and latest), so `route` can stop gracefully before the
   * recursion limit. A jump of more than one step between CodeAct nodes marks
   * a new invocation.
   */
  stepWindow: Annotation<StepWindow | null>({
    reducer: (_previous, next) => next,
    default: () => null,
  }),
});

export type CodeActStateType = typeof CodeActState.State;
export type CodeActStateUpdate = typeof CodeActState.Update;
