import type { ExecuteResult, JsonValue, SessionDefinitions } from "../types.js";

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

/** Host → worker. */
export type HostMessage =
  | { type: "init"; options: WorkerExecutorOptions }
  | {
      type: "execute";
      id: number;
      sessionId: string;
      code: string;
      tools: string[];
      variables?: Record<string, JsonValue>;
      definitions?: SessionDefinitions;
    }
  | { type: "tool-reply"; id: number; callId: number; reply: string }
  | { type: "abort"; id: number }
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
