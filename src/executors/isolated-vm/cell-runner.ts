/**
 * Runs cells that are already transformed (see transform.ts) in this
 * process: the sessions by id, their isolates, the pool of ready ones,
 * restores after a failure and the variable snapshots. The in-process
 * executor uses it directly; the worker process of `isolation: "process"`
 * uses it alone, so the worker never loads the code transform (the host
 * transforms each cell before sending it).
 */
import { performance } from "node:perf_hooks";
import { ExecutorClosedError } from "../errors.js";
import type { ExecuteRequest, ExecuteResult, ExecutionError, SessionDefinitions } from "../types.js";
import { combineSessionChanges, type SessionChange } from "../session-change.js";
import { OutputBuffer } from "../../shared/clip.js";
import { abortedBeforeStart, cappedError, failureError } from "./cell-failures.js";
import { IsolateSession, SessionFailedError, type SessionFailure } from "./isolate-session.js";
import { abandonedToolCallsNote, cappedOutput, cellResult } from "./cell-result.js";
import { parseDefinitions } from "../session-definitions.js";
import { startRestoredSession } from "./session-restore.js";
import { jsonTexts, SessionSlots, type SessionSlot } from "./session-slots.js";
import { SessionPool } from "./session-pool.js";
import type { CallerHooks } from "./tool-bridge.js";
import { fixTraceback } from "./traceback.js";
import type { PreparedOutcome, WorkerExecutorOptions } from "./worker-protocol.js";

/** The host side of a cell: the tool names to install and the callbacks for their calls and for output. */
export interface CellHooks extends CallerHooks {
  toolNames: readonly string[];
}

/** One cell for {@link CellRunner.execute}. */
export interface RunnerRequest extends Pick<ExecuteRequest, "sessionId" | "variables" | "definitions" | "signal"> {
  /**
   * The cell for the session's `cellNumber`-th cell, asked for once its
   * session is ready (a syntax error then still leaves a session behind,
   * restored from the request).
   */
  prepare: (cellNumber: number) => PreparedOutcome;
  /** Whether a saved definition's source is exactly one function or class (else it is not replayed). */
  isSingleDefinition: (source: string) => boolean;
}

/**
 * How long a new runner waits for a first cell before it builds spare
 * isolates: longer than a cell sent right after start-up takes to arrive
 * (in the worker: the "ready" message's round trip), far shorter than a
 * model call.
 */
export const PREWARM_DELAY_MS = 25;

/** Options of a {@link CellRunner}: the executor's, resolved. */
export type CellRunnerOptions = WorkerExecutorOptions;

/** Sessions of one executor (or one worker process), each a V8 isolate, running prepared cells. */
export class CellRunner {
  readonly #options: CellRunnerOptions;
  readonly #slots: SessionSlots;
  /** Ready isolates for new sessions. */
  readonly #pool: SessionPool | undefined;
  #prewarmTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: CellRunnerOptions) {
    this.#options = options;
    this.#slots = new SessionSlots(options.idleTimeoutMs, options.maxSessions);
    this.#pool =
      options.prewarmSessions > 0
        ? new SessionPool({ memoryLimitMb: options.memoryLimitMb, maxVariableChars: options.maxVariableChars }, options.prewarmSessions)
        : undefined;
  }

  /**
   * Fills the pool of ready isolates in the background once `delayMs` have
   * passed without a cell. A cell sent at once (a process's first, often)
   * then has the thread to itself, and the pool fills after its answer; a
   * cell that comes later finds ready isolates.
   */
  prewarm(delayMs: number): void {
    if (!this.#pool || this.#closed) return;
    clearTimeout(this.#prewarmTimer);
    this.#prewarmTimer = setTimeout(() => this.#pool?.fill(), delayMs);
    this.#prewarmTimer.unref();
  }

  /** Number of live sessions (isolates). */
  get sessionCount(): number {
    return this.#slots.liveCount;
  }

  async execute(request: RunnerRequest, hooks: CellHooks): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(EXECUTOR_NAME);
    const startedAt = performance.now();
    if (request.signal?.aborted) return abortedBeforeStart(startedAt);
    // this cell goes first; the pool is filled after its answer (below)
    clearTimeout(this.#prewarmTimer);

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

  /**
   * Drops a session: its next cell starts a new one from the request's
   * variables. Detached at once (a cell sent after this call never runs in
   * it); its isolate is freed once the cells already queued on it end.
   */
  async forget(sessionId: string): Promise<void> {
    const slot = this.#slots.detach(sessionId);
    if (slot === undefined) return;
    await slot.queue;
    this.#slots.dispose(slot, "closed");
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#prewarmTimer);
    await this.#pool?.close();
    this.#slots.disposeAll();
  }

  async #runCell(
    slot: SessionSlot,
    request: RunnerRequest,
    hooks: CellHooks,
    startedAt: number
  ): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(EXECUTOR_NAME);
    if (request.signal?.aborted) return abortedBeforeStart(startedAt);
    const { timeoutMs, maxOutputChars } = this.#options;

    const log: { change?: SessionChange } = {};
    let session = slot.session;
    if (!session || session.disposed) {
      // A brand-new session counts against maxSessions; a restart replaces one.
      const isNew = slot.session === undefined;
      // A busy cell ends within its own time limit, which may have started up to that long ago.
      if (isNew && !(await this.#slots.reserve(slot, 2 * timeoutMs))) {
        return cellResult(slot, {
          output: "",
          error: {
            name: "SessionLimitError",
            message: `All ${this.#options.maxSessions ?? 0} sessions of this executor stayed busy for ${2 * timeoutMs} ms; try again later.`,
          },
          startedAt,
          log,
        });
      }
      try {
        session = slot.session
          ? await this.#startSession(slot, slot.variablesJson, slot.definitions, request, log)
          : await this.#startSession(slot, jsonTexts(request.variables), parseDefinitions(request.definitions), request, log);
      } catch (caught) {
        if (!(caught instanceof SessionFailedError)) throw caught;
        if (caught.failure === "closed" || this.#closed) throw new ExecutorClosedError(EXECUTOR_NAME);
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

    const prepared = request.prepare(++slot.cellCount);
    if (!prepared.ok) {
      return cellResult(slot, { output: "", error: prepared.error, startedAt, log });
    }
    const cell = prepared.cell;

    const output = new OutputBuffer(maxOutputChars);
    const onOutput = cappedOutput(output, hooks.onOutput, maxOutputChars);

    const watchdog = setTimeout(() => live.kill("timeout"), timeoutMs);
    const onAbort = (): void => live.kill("abort");
    request.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const guest = await live.run(
        cell.script,
        timeoutMs,
        { dispatch: hooks.dispatch, onOutput },
        hooks.toolNames,
        cell.definitions
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
              ? { traceback: fixTraceback(guest.error.stack, cell.filename, cell.firstLineOffset, cell.code) }
              : {}),
          },
          maxOutputChars
        );
      const value = guest.value === undefined ? undefined : new OutputBuffer(maxOutputChars);
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
      if (caught.failure === "closed" || this.#closed) throw new ExecutorClosedError(EXECUTOR_NAME);
      const error = this.#failure(caught.failure);
      await this.#startSession(slot, slot.variablesJson, slot.definitions, request, log, caught.failure).catch(() => {
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
    request: RunnerRequest,
    log: { change?: SessionChange },
    after?: SessionFailure
  ): Promise<IsolateSession> {
    return startRestoredSession({
      slot,
      entries,
      definitions,
      log,
      after,
      timeoutMs: this.#options.timeoutMs,
      isSingleDefinition: request.isSingleDefinition,
      newIsolate: () => this.#newIsolate(),
    });
  }

  async #newIsolate(): Promise<IsolateSession> {
    const session = this.#pool
      ? await this.#pool.take()
      : await IsolateSession.create({ memoryLimitMb: this.#options.memoryLimitMb, maxVariableChars: this.#options.maxVariableChars });
    if (this.#closed) {
      session.kill("closed");
      throw new ExecutorClosedError(EXECUTOR_NAME);
    }
    return session;
  }

  #failure(failure: SessionFailure): ExecutionError {
    return failureError(failure === "closed" ? "crash" : failure, this.#options);
  }
}

const EXECUTOR_NAME = "isolated-vm";
