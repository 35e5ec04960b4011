import { performance } from "node:perf_hooks";
import { ExecutorClosedError } from "../errors.js";
import type {
  ExecuteRequest,
  ExecuteResult,
  ExecutionError,
  Executor,
  SessionDefinitions,
} from "../types.js";
import { combineSessionChanges, type SessionChange } from "../session-change.js";
import { OutputBuffer } from "../../shared/clip.js";
import { abortedBeforeStart, cappedError, failureError } from "./cell-failures.js";
import { IsolateSession, SessionFailedError, type SessionFailure } from "./isolate-session.js";
import { abandonedToolCallsNote, cappedOutput, cellResult } from "./cell-result.js";
import { parseDefinitions } from "../session-definitions.js";
import { startRestoredSession } from "./session-restore.js";
import { jsonTexts, SessionSlots, type SessionSlot } from "./session-slots.js";
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
import { SessionPool } from "./session-pool.js";
import { bindToCaller, replyLimitsFor, type CallerHooks } from "./tool-bridge.js";
import { fixTraceback } from "./traceback.js";
import { transformCell } from "./transform.js";

/**
 * A cell's host side given directly: the tool names to install and the
 * callbacks for their calls and for output. `request.tools` and
 * `request.onOutput` are then ignored.
 */
export interface CellHooks extends CallerHooks {
  toolNames: readonly string[];
}

/**
 * Runs a cell on an in-process executor with {@link CellHooks} instead of
 * host functions: the worker process of `isolation: "process"` forwards the
 * guest's tool calls (JSON text) and output to the host as they are, with no
 * parsing, re-serialising or async-context binding in between. Internal: not
 * exported from the package.
 */
export let executeWithHooks: (
  executor: IsolatedVmExecutor,
  request: ExecuteRequest,
  hooks: CellHooks
) => Promise<ExecuteResult>;



/**
 * Runs JavaScript (and TypeScript) cells in isolated-vm: one V8 isolate per
 * session, REPL semantics, host tools as async globals, nothing else from
 * the host.
 */
export class IsolatedVmExecutor implements Executor {
  readonly name = "isolated-vm";
  readonly language = "javascript" as const;
  readonly description: string;

  readonly #timeoutMs: number;
  readonly #memoryLimitMb: number;
  readonly #maxOutputChars: number;
  readonly #idleTimeoutMs: number;
  readonly #maxSessions: number | undefined;
  readonly #maxVariableChars: number;
  readonly #slots: SessionSlots;
  /** Set in `"process"` isolation: every call is forwarded to the worker. */
  readonly #supervisor: ProcessSupervisor | undefined;
  /** Ready isolates for new sessions (in-process isolation only; the worker has its own). */
  readonly #pool: SessionPool | undefined;
  #closed = false;

  constructor(options: IsolatedVmExecutorOptions = {}) {
    this.#timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS, "timeoutMs");
    this.#memoryLimitMb = positive(options.memoryLimitMb, DEFAULT_MEMORY_LIMIT_MB, "memoryLimitMb");
    this.#maxOutputChars = positive(options.maxOutputChars, DEFAULT_MAX_OUTPUT_CHARS, "maxOutputChars");
    this.#idleTimeoutMs = positive(options.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS, "idleTimeoutMs");
    this.#maxVariableChars = positive(options.maxVariableChars, DEFAULT_MAX_VARIABLE_CHARS, "maxVariableChars");
    this.#maxSessions =
      options.maxSessions === undefined ? undefined : positive(options.maxSessions, 1, "maxSessions");
    this.#slots = new SessionSlots(this.#idleTimeoutMs, this.#maxSessions);
    this.description = describeSandbox(this.#timeoutMs, this.#memoryLimitMb, this.#maxOutputChars);
    const isolation = options.isolation ?? DEFAULT_ISOLATION;
    if (isolation !== "in-process" && isolation !== "process") {
      throw new RangeError(`isolation must be "in-process" or "process", got ${String(isolation)}.`);
    }
    this.isolation = isolation;
    const prewarmSessions = options.prewarmSessions ?? DEFAULT_PREWARM_SESSIONS;
    if (!Number.isInteger(prewarmSessions) || prewarmSessions < 0) {
      throw new RangeError(`prewarmSessions must be a whole number >= 0, got ${prewarmSessions}.`);
    }
    this.#supervisor =
      isolation === "process"
        ? new ProcessSupervisor({
            timeoutMs: this.#timeoutMs,
            memoryLimitMb: this.#memoryLimitMb,
            maxOutputChars: this.#maxOutputChars,
            idleTimeoutMs: this.#idleTimeoutMs,
            maxVariableChars: this.#maxVariableChars,
            prewarmSessions,
            ...(this.#maxSessions !== undefined ? { maxSessions: this.#maxSessions } : {}),
          })
        : undefined;
    this.#pool =
      isolation === "in-process" && prewarmSessions > 0
        ? new SessionPool({ memoryLimitMb: this.#memoryLimitMb, maxVariableChars: this.#maxVariableChars }, prewarmSessions)
        : undefined;
    this.#pool?.fill();
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
    if (this.#supervisor) return this.#supervisor.sessionCount;
    return this.#slots.liveCount;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(this.name);
    if (this.#supervisor) return this.#supervisor.execute(request);
    // Bound here, at entry, so tools and streaming run in the caller's context (tracing)
    const tools = request.tools ?? {};
    return this.#execute(request, {
      ...bindToCaller(tools, request.onOutput, replyLimitsFor(this.#memoryLimitMb)),
      toolNames: Object.keys(tools),
    });
  }

  static {
    executeWithHooks = (executor, request, hooks) => executor.#execute(request, hooks);
  }

  async #execute(request: ExecuteRequest, hooks: CellHooks): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(this.name);
    if (this.#supervisor) throw new Error("executeWithHooks() needs in-process isolation");
    const startedAt = performance.now();
    if (request.signal?.aborted) return abortedBeforeStart(startedAt);

    const slot = this.#slots.get(request.sessionId);
    slot.running += 1;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    const previous = slot.queue;
    const current = previous.then(() => this.#runCell(slot, request, hooks, startedAt));
    slot.queue = current.catch(() => {});
    try {
      return await current;
    } finally {
      slot.running -= 1;
      this.#slots.touch(slot);
      // after the answer: a refill must not slow the cell that took a ready isolate
      this.#pool?.fill();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#supervisor?.close();
    await this.#pool?.close();
    this.#slots.disposeAll();
  }

  async #runCell(
    slot: SessionSlot,
    request: ExecuteRequest,
    hooks: CellHooks,
    startedAt: number
  ): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(this.name);
    if (request.signal?.aborted) return abortedBeforeStart(startedAt);

    const log: { change?: SessionChange } = {};
    let session = slot.session;
    if (!session || session.disposed) {
      // A brand-new session counts against maxSessions; a restart replaces one.
      const isNew = slot.session === undefined;
      // A busy cell ends within its own time limit, which may have started up to that long ago.
      if (isNew && !(await this.#slots.reserve(slot, 2 * this.#timeoutMs))) {
        return cellResult(slot, {
          output: "",
          error: {
            name: "SessionLimitError",
            message: `All ${this.#maxSessions ?? 0} sessions of this executor stayed busy for ${2 * this.#timeoutMs} ms; try again later.`,
          },
          startedAt,
          log,
        });
      }
      try {
        session = slot.session
          ? await this.#startSession(slot, slot.variablesJson, slot.definitions, log)
          : await this.#startSession(slot, jsonTexts(request.variables), parseDefinitions(request.definitions), log);
      } catch (caught) {
        if (!(caught instanceof SessionFailedError)) throw caught;
        if (caught.failure === "closed" || this.#closed) throw new ExecutorClosedError(this.name);
        // e.g. a snapshot too large for the memory limit: drop it so the next cell starts clean
        slot.session?.kill("crash");
        slot.session = undefined;
        slot.variablesJson = new Map();
        slot.unsavedVariables = [];
        slot.definitions = { code: [] };
        log.change = combineSessionChanges(log.change, {
          restored: [],
          lost: [...Object.keys(request.variables ?? {}), ...(request.definitions?.code ?? []).map((definition) => definition.name)],
          notes: ["The saved variables could not be restored; the session starts empty."],
        });
        return cellResult(slot, { output: "", error: this.#failure(caught.failure), startedAt, log });
      } finally {
        if (isNew) this.#slots.release();
      }
    }
    const live = session;

    const filename = `cell-${++slot.cellCount}.ts`;
    const transformed = transformCell(request.code, filename);
    if (!transformed.ok) {
      return cellResult(slot, { output: "", error: transformed.error, startedAt, log });
    }

    const output = new OutputBuffer(this.#maxOutputChars);
    const onOutput = cappedOutput(output, hooks.onOutput, this.#maxOutputChars);

    const watchdog = setTimeout(() => live.kill("timeout"), this.#timeoutMs);
    const onAbort = (): void => live.kill("abort");
    request.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const guest = await live.run(
        transformed.cell.script,
        this.#timeoutMs,
        { dispatch: hooks.dispatch, onOutput },
        hooks.toolNames,
        transformed.cell.definitions
      );
      if (guest.abandonedToolCalls > 0) {
        output.append((output.totalChars > 0 ? "\n" : "") + abandonedToolCallsNote(guest.abandonedToolCalls));
      }
      if (guest.snapshotFailed) {
        log.change = combineSessionChanges(log.change, {
          restored: [],
          lost: [],
          notes: ["The variables could not be saved after this cell; the last saved snapshot is kept (a restart would go back to it)."],
        });
      } else {
        slot.variablesJson = new Map(Object.entries(guest.variablesJson));
        slot.unsavedVariables = guest.unsavedVariables;
        slot.definitions = guest.definitions;
      }
      const error: ExecutionError | undefined =
        guest.error &&
        cappedError(
          {
            name: guest.error.name,
            message: guest.error.message,
            ...(guest.error.stack
              ? { traceback: fixTraceback(guest.error.stack, filename, transformed.cell.firstLineOffset, request.code) }
              : {}),
          },
          this.#maxOutputChars
        );
      const value = guest.value === undefined ? undefined : new OutputBuffer(this.#maxOutputChars);
      value?.append(guest.value ?? "");
      return cellResult(slot, {
        output: output.toString(),
        truncated: output.truncated || value?.truncated === true,
        value: value?.toString(),
        error,
        startedAt,
        log,
      });
    } catch (caught) {
      if (!(caught instanceof SessionFailedError)) throw caught;
      if (caught.failure === "closed" || this.#closed) throw new ExecutorClosedError(this.name);
      const error = this.#failure(caught.failure);
      await this.#startSession(slot, slot.variablesJson, slot.definitions, log, caught.failure).catch(() => {
        log.change = combineSessionChanges(log.change, {
          restored: [],
          lost: [],
          notes: ["The sandbox could not be restarted yet; the next cell will try again."],
        });
      });
      return cellResult(slot, { output: output.toString(), truncated: output.truncated, error, startedAt, log });
    } finally {
      clearTimeout(watchdog);
      request.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** A new isolate for the slot, restored from `entries` and `definitions`; records what happened in `log`. */
  #startSession(
    slot: SessionSlot,
    entries: Map<string, string>,
    definitions: SessionDefinitions,
    log: { change?: SessionChange },
    after?: SessionFailure
  ): Promise<IsolateSession> {
    return startRestoredSession({ slot, entries, definitions, log, after, timeoutMs: this.#timeoutMs, newIsolate: () => this.#newIsolate() });
  }

  async #newIsolate(): Promise<IsolateSession> {
    const session = this.#pool
      ? await this.#pool.take()
      : await IsolateSession.create({ memoryLimitMb: this.#memoryLimitMb, maxVariableChars: this.#maxVariableChars });
    if (this.#closed) {
      session.kill("closed");
      throw new ExecutorClosedError(this.name);
    }
    return session;
  }

  #failure(failure: SessionFailure): ExecutionError {
    return failureError(failure === "closed" ? "crash" : failure, { timeoutMs: this.#timeoutMs, memoryLimitMb: this.#memoryLimitMb });
  }
}

/** Creates an {@link IsolatedVmExecutor}. */
export function createIsolatedVmExecutor(options: IsolatedVmExecutorOptions = {}): IsolatedVmExecutor {
  return new IsolatedVmExecutor(options);
}
