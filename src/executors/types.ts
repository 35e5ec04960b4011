/**
 * The executor contract: how the `execute` node runs a code action.
 *
 * An executor owns sessions (one per LangGraph thread). Failures of the
 * model's code — syntax errors, exceptions, timeouts, memory exhaustion,
 * aborts — come back as data in {@link ExecuteResult.error}; only failures of
 * the infrastructure (a server that cannot be reached, an executor used after
 * `close()`) are thrown, as {@link ExecutorError} subclasses with a stable
 * `code`.
 *
 * @module
 */

import type { SessionChange } from "./session-change.js";

/** The languages a code action can be written in. */
export type CodeLanguage = "javascript" | "python";

/**
 * A host function made callable from inside the sandbox.
 *
 * The sandbox calls it with the arguments the model's code passed (already
 * copied out of the sandbox as plain JSON values): normally one object, the
 * tool's input (`await search({ query: "x" })`). It may return any
 * JSON-serialisable value; it may throw or reject, in which case the error's
 * message is rethrown inside the sandbox as an `Error`.
 */
export type HostFunction = ((...args: unknown[]) => Promise<unknown>) & {
  /**
   * The ordered names of the input object's top-level fields, when known.
   * Executors of languages with positional arguments (Python's
   * `search("x", limit=3)`) use it to build the single input object:
   * positional values take these names in order, keyword values are merged.
   */
  readonly parameters?: readonly string[];
};

/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** One execution request: a cell of code for one session. */
/**
 * Code that rebuilds a session's functions and classes in a new process,
 * and the class instances among its variables.
 */
export interface SessionDefinitions {
  /** In the order they are replayed (the order they were last defined). */
  code: CodeDefinition[];
  /** By variable name: where each class instance is inside the variable's JSON value, and its class. */
  instances?: Record<string, InstanceLocation[]>;
}

/** One top-level definition: the global `name` and the source that creates its value. */
export interface CodeDefinition {
  name: string;
  /** JavaScript: the function or class, evaluated as an expression. */
  source: string;
}

/** An instance of a replayed class: its path from the variable's value (`[]` is the value itself). */
export interface InstanceLocation {
  path: Array<string | number>;
  className: string;
}

export interface ExecuteRequest {
  /** The code to run, as extracted from the model's reply. */
  code: string;
  /**
   * The session to run in, normally the LangGraph `thread_id`. Globals
   * defined by one request are visible to the next request of the same
   * session.
   */
  sessionId: string;
  /**
   * Host functions callable from the code, keyed by the identifier the code
   * uses (`await search({ query })` in JavaScript, `search(query=...)` in
   * Python). The executor binds them; the caller keeps their validation.
   */
  tools?: Record<string, HostFunction>;
  /**
   * A snapshot of the session's variables (as returned in
   * {@link ExecuteResult.variables} by an earlier run), restored before the
   * code runs **only when the session is new** to this executor — after a
   * process restart, on another worker, or after a crash rebuilt it.
   */
  variables?: Record<string, JsonValue>;
  /**
   * The code that rebuilds the session's functions and classes (as returned
   * in {@link ExecuteResult.definitions}), replayed with {@link variables},
   * under the same rule: only when the session is new to this executor.
   */
  definitions?: SessionDefinitions;
  /**
   * Opaque text an executor returned in {@link ExecuteResult.resumeToken}
   * for this session, kept in graph state by the caller. Lets a remote
   * executor find a still-living session (for example a Jupyter kernel id)
   * after the host process restarted.
   */
  resumeToken?: string;
  /**
   * Start this session over from {@link variables} and {@link definitions},
   * discarding what lives of it — in this process, or (a remote kernel) what
   * {@link resumeToken} names. Set when a cell is run again from the state
   * it started from, to finish it after its first run paused for a tool
   * approval in a process that is gone. Executors that keep nothing outside
   * the process may ignore it: the graph gives them a fresh session id.
   */
  startOver?: boolean;
  /**
   * Stops the run. The result then carries an error named `"AbortError"`;
   * the session is kept usable (rebuilt from its snapshot if needed).
   */
  signal?: AbortSignal;
  /** Receives output as it is produced, for live streaming. */
  onOutput?: (chunk: string) => void;
  /**
   * Receives the session's {@link ExecuteResult.resumeToken} as soon as it is
   * known, before the code runs: a cell that pauses (a tool approval) keeps
   * it in state, so whoever finishes the cell can find (and discard) what
   * the unfinished run left behind.
   */
  onResumeToken?: (resumeToken: string) => void;
}

/** A non-text output of a cell: an image, HTML, JSON. */
export interface RichOutput {
  /** MIME type, for example `image/png`, `image/svg+xml`, `text/html`. */
  mimeType: string;
  /**
   * The data: base64 for binary types (`image/png`, `image/jpeg`), text for
   * textual ones (`image/svg+xml`, `text/html`), JSON text for
   * `application/json`.
   */
  data: string;
  /** The plain-text form the producer offered alongside, if any. */
  text?: string;
}

/** The error of a failed cell, as the model should read it. */
export interface ExecutionError {
  /**
   * The error's class name: `SyntaxError`, `TypeError`, `ValueError`, …, or
   * one of the executor's own: `TimeoutError` (over `timeoutMs`),
   * `MemoryLimitError`, `AbortError` (the request's signal fired),
   * `SessionCrashedError` (the sandbox or kernel died; the session restarts).
   */
  name: string;
  message: string;
  /** A traceback in the language's own form, without ANSI escape codes. */
  traceback?: string;
}

/** What a cell did. */
export interface ExecuteResult {
  /**
   * Everything the code printed (stdout and stderr interleaved in order),
   * truncated to the executor's `maxOutputChars` with a marker that says how
   * much was cut.
   */
  output: string;
  /**
   * The printed form of the cell's last expression (REPL semantics), when
   * it has one that is not `undefined` / `None`.
   */
  value?: string;
  /** Set when the code failed; never thrown. */
  error?: ExecutionError;
  /** Images, HTML and other rich outputs, in the order they were produced. */
  outputs: RichOutput[];
  /**
   * The JSON-safe part of the session's globals after the run, to be kept
   * in graph state and passed back as {@link ExecuteRequest.variables}.
   * Absent when the executor does not snapshot.
   */
  variables?: Record<string, JsonValue>;
  /**
   * Names of the session's globals that are not in {@link variables}
   * because they cannot be restored in a new session (functions, class
   * instances, values over the size cap, …).
   */
  unsavedVariables?: string[];
  /**
   * What JSON cannot carry but code can: the definitions still in effect
   * (top-level functions and classes) and where instances of those classes
   * sit in {@link variables}. Kept in graph state beside the variables and
   * passed back as {@link ExecuteRequest.definitions}. Absent when there are
   * none or the executor does not keep code.
   */
  definitions?: SessionDefinitions;
  /**
   * Set when this run did not run in the session the previous cell left:
   * a new session restored from a snapshot, a restart, a replaced kernel.
   * The observation renders it for the model.
   */
  sessionChange?: SessionChange;
  /**
   * The same in words, for executors that only have words (custom
   * executors); ignored when {@link sessionChange} is set.
   */
  sessionNotice?: string;
  /** See {@link ExecuteRequest.resumeToken}. */
  resumeToken?: string;
  /** True when {@link output} was shortened. */
  truncated?: boolean;
  /** Wall time of the run, in milliseconds. */
  durationMs: number;
}

/**
 * Runs model-written code. Failures in the model's code are returned as data;
 * only infrastructure failures throw ({@link ExecutorError}).
 */
export interface Executor {
  /** Stable identifier shown in traces: `"isolated-vm"`, `"jupyter"`, … */
  readonly name: string;
  /** The language the model must write; selects the prompt and code fences. */
  readonly language: CodeLanguage;
  /**
   * Appended to the system prompt: what the sandbox offers and its limits,
   * in words for the model.
   */
  readonly description?: string;
  /**
   * Runs one cell in the request's session, creating (and restoring) the
   * session when needed.
   *
   * @throws ExecutorClosedError after {@link close}.
   * @throws ExecutorUnavailableError when a remote backend cannot be reached.
   */
  execute(request: ExecuteRequest): Promise<ExecuteResult>;
  /**
   * Drops this process's live state for a session without touching what
   * other processes may share (a remote kernel stays up); the next
   * `execute` for it starts over from the request's `variables` and
   * `resumeToken`. The graph calls it when the session is older than the
   * thread's state (another worker ran the thread since). Optional: without
   * it the graph moves the thread to a new session id instead.
   */
  forgetSession?(sessionId: string): Promise<void>;
  /**
   * Frees every session (isolates, kernels, sockets). Idempotent: a second
   * call resolves at once. Further `execute` calls throw
   * `ExecutorClosedError`.
   */
  close(): Promise<void>;
}

/**
 * Limits common to executors. Each executor documents its defaults.
 */
export interface ExecutionLimits {
  /** Wall-clock limit of one cell, including time spent awaiting tools. */
  timeoutMs?: number;
  /** Cap on {@link ExecuteResult.output}; the head and tail are kept. */
  maxOutputChars?: number;
}
