import { ExecutorClosedError } from "../errors.js";
import type { ExecuteRequest, ExecuteResult, Executor } from "../types.js";
import { CellRunner, PREWARM_DELAY_MS } from "./cell-runner.js";
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_ISOLATION,
  DEFAULT_MAX_OUTPUT_CHARS,
  DEFAULT_MAX_VARIABLE_CHARS,
  DEFAULT_MEMORY_LIMIT_MB,
  DEFAULT_PREWARM_SESSIONS,
  DEFAULT_TIMEOUT_MS,
  describeSandbox,
  positive,
  type IsolatedVmExecutorOptions,
  type IsolationMode,
} from "./options.js";
import { ProcessSupervisor } from "./process-supervisor.js";
import { bindToCaller, replyLimitsFor } from "./tool-bridge.js";
import { isSingleDefinition, prepareCell } from "./transform.js";
import type { WorkerExecutorOptions } from "./worker-protocol.js";

/**
 * Runs JavaScript (and TypeScript) cells in isolated-vm: one V8 isolate per
 * session, REPL semantics, host tools as async globals, nothing else from
 * the host.
 */
export class IsolatedVmExecutor implements Executor {
  readonly name = "isolated-vm";
  readonly language = "javascript" as const;
  readonly description: string;

  readonly #memoryLimitMb: number;
  /** Set in `"process"` isolation: every call is forwarded to the worker. */
  readonly #supervisor: ProcessSupervisor | undefined;
  /** Set in `"in-process"` isolation: the sessions and their isolates. */
  readonly #runner: CellRunner | undefined;
  #closed = false;

  constructor(options: IsolatedVmExecutorOptions = {}) {
    const timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS, "timeoutMs");
    this.#memoryLimitMb = positive(options.memoryLimitMb, DEFAULT_MEMORY_LIMIT_MB, "memoryLimitMb");
    const maxOutputChars = positive(options.maxOutputChars, DEFAULT_MAX_OUTPUT_CHARS, "maxOutputChars");
    const idleTimeoutMs = positive(options.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS, "idleTimeoutMs");
    const maxVariableChars = positive(options.maxVariableChars, DEFAULT_MAX_VARIABLE_CHARS, "maxVariableChars");
    const maxSessions =
      options.maxSessions === undefined ? undefined : positive(options.maxSessions, 1, "maxSessions");
    this.description = describeSandbox(timeoutMs, this.#memoryLimitMb, maxOutputChars);
    const isolation = options.isolation ?? DEFAULT_ISOLATION;
    if (isolation !== "in-process" && isolation !== "process") {
      throw new RangeError(`isolation must be "in-process" or "process", got ${String(isolation)}.`);
    }
    this.isolation = isolation;
    const prewarmSessions = options.prewarmSessions ?? DEFAULT_PREWARM_SESSIONS;
    if (!Number.isInteger(prewarmSessions) || prewarmSessions < 0) {
      throw new RangeError(`prewarmSessions must be a whole number >= 0, got ${prewarmSessions}.`);
    }
    const resolved: WorkerExecutorOptions = {
      timeoutMs,
      memoryLimitMb: this.#memoryLimitMb,
      maxOutputChars,
      idleTimeoutMs,
      maxVariableChars,
      prewarmSessions,
      ...(maxSessions !== undefined ? { maxSessions } : {}),
    };
    this.#supervisor = isolation === "process" ? new ProcessSupervisor(resolved) : undefined;
    this.#runner = isolation === "in-process" ? new CellRunner(resolved) : undefined;
    this.#runner?.prewarm(PREWARM_DELAY_MS);
  }

  /** Where this executor's isolates run. */
  readonly isolation: IsolationMode;

  /**
   * Process id of the worker in `"process"` isolation while one runs
   * (monitoring, tests); `undefined` otherwise.
   */
  get workerPid(): number | undefined {
    return this.#supervisor?.workerPid;
  }

  /** Number of live sessions (isolates), for tests and monitoring. */
  get sessionCount(): number {
    return this.#supervisor?.sessionCount ?? this.#runner?.sessionCount ?? 0;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(this.name);
    if (this.#supervisor) return this.#supervisor.execute(request);
    const runner = this.#runner;
    if (!runner) throw new ExecutorClosedError(this.name);
    // Bound here, at entry, so tools and streaming run in the caller's context (tracing)
    const tools = request.tools ?? {};
    return runner.execute(
      {
        sessionId: request.sessionId,
        variables: request.variables,
        definitions: request.definitions,
        signal: request.signal,
        prepare: (cellNumber) => prepareCell(request.code, cellNumber),
        isSingleDefinition,
      },
      { ...bindToCaller(tools, request.onOutput, replyLimitsFor(this.#memoryLimitMb)), toolNames: Object.keys(tools) }
    );
  }

  /**
   * Drops this executor's live session `sessionId` (see
   * {@link Executor.forgetSession}): the next cell for it starts a new one
   * from the request's `variables` and `definitions`. Cells already under
   * way end first.
   */
  async forgetSession(sessionId: string): Promise<void> {
    if (this.#closed) return;
    await (this.#supervisor?.forgetSession(sessionId) ?? this.#runner?.forget(sessionId));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#supervisor?.close();
    await this.#runner?.close();
  }
}

/** Creates an {@link IsolatedVmExecutor}. */
export function createIsolatedVmExecutor(options: IsolatedVmExecutorOptions = {}): IsolatedVmExecutor {
  return new IsolatedVmExecutor(options);
}
