import type { CodeDefinition, ExecuteResult, ExecutionError, JsonValue, SessionDefinitions } from "../types.js";

/**
 * Messages between the host and the supervised worker process of
 * `isolation: "process"`. Every message is JSON (Node's default IPC
 * serialisation); cells are keyed by `id`, tool calls within a cell by
 * `callId`.
 */

/** Executor options the worker needs; plain JSON. */
export interface WorkerExecutorOptions {
  timeoutMs: number;
  memoryLimitMb: number;
  maxOutputChars: number;
  idleTimeoutMs: number;
  maxSessions?: number;
  maxVariableChars: number;
  prewarmSessions: number;
}

/** A cell ready to run: the transform's output and what maps the guest's traces back into the cell. */
export interface PreparedCell {
  /** The cell's file name in traces and messages (`cell-3.ts`). */
  filename: string;
  /** Script text for an indirect (global) eval inside the isolate. */
  script: string;
  /** The cell's top-level functions and classes with their exact source. */
  definitions: CodeDefinition[];
  /** Characters the transform's prefix adds before the cell's first line. */
  firstLineOffset: number;
  /** The cell as written (its line count places the wrapper's frame in a trace). */
  code: string;
}

/** A prepared cell, or the error that stops it (a syntax error). */
export type PreparedOutcome = { ok: true; cell: PreparedCell } | { ok: false; error: ExecutionError };

/** Host → worker. */
export type HostMessage =
  | { type: "init"; options: WorkerExecutorOptions }
  | {
      type: "execute";
      id: number;
      sessionId: string;
      /** The cell as the host transformed it: the worker never loads the transform. */
      cell: PreparedCell;
      tools: string[];
      variables?: Record<string, JsonValue>;
      definitions?: SessionDefinitions;
      /** Sources among `definitions` that are not exactly one function or class (checked on the host). */
      malformedDefinitions?: string[];
    }
  | { type: "tool-reply"; id: number; callId: number; reply: string }
  | { type: "abort"; id: number }
  /** Drop a session (see CellRunner.forget). */
  | { type: "forget"; sessionId: string }
  | { type: "close" };

/** Worker → host. */
export type WorkerMessage =
  | { type: "ready" }
  | { type: "result"; id: number; result: ExecuteResult; sessionCount: number }
  /** The inner executor threw (an infrastructure failure). */
  | { type: "failed"; id: number; name: string; message: string }
  | { type: "tool-call"; id: number; callId: number; name: string; argumentsJson: string }
  | { type: "output"; id: number; chunk: string }
  | { type: "sessions"; count: number }
  /** V8 lost an isolate: the worker can no longer free it and must be replaced. */
  | { type: "wedged"; reason: string };

/** The warning code the in-process executor emits when V8 loses an isolate. */
export const CATASTROPHIC_WARNING_CODE = "CODEACT_ISOLATE_CATASTROPHIC";
