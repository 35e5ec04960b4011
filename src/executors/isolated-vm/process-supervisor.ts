import { performance } from "node:perf_hooks";
import { ExecutorClosedError, ExecutorUnavailableError } from "../errors.js";
import { combineSessionChanges } from "../session-change.js";
import type { ExecuteRequest, ExecuteResult } from "../types.js";
import { parseDefinitions } from "../session-definitions.js";
import { CANNOT_TRAVEL_NOTE } from "./cell-result.js";
import { OutputBuffer } from "../../shared/clip.js";
import { abortedBeforeStart, failureError, restartCause, type SandboxFailure } from "./cell-failures.js";
import { bindToCaller, replyLimitsFor, type CallerHooks } from "./tool-bridge.js";
import { isSingleDefinition, prepareCell } from "./transform.js";
import { answeredOnHost, sendable, workerChangeAfterRestart, type SessionRecord } from "./session-record.js";
import { Worker, type PendingCell } from "./worker-process.js";
import type { WorkerExecutorOptions, WorkerMessage } from "./worker-protocol.js";

/** Extra time past `timeoutMs` before a silent worker is presumed wedged and killed. */
export const WORKER_GRACE_MS = 3_000;
/** After an abort, how long the worker may take to answer before it is killed. */
const ABORT_GRACE_MS = 1_000;
/** How long `close()` lets the worker exit by itself before killing it. */
const CLOSE_GRACE_MS = 500;

const EXECUTOR_NAME = "isolated-vm";
const NO_RUN_REPLY = JSON.stringify({
  error: { name: "Error", message: "Tools can only be called while a cell is running." },
});


/**
 * The host side of `isolation: "process"`: runs every session's isolate in a
 * supervised worker process, so a V8 failure that would take down or wedge
 * a process (out-of-memory inside V8, a lost isolate thread) only costs the
 * worker. A crashed, wedged or unresponsive worker is killed; the next cell
 * starts a new one and restores each session from the host's copy of its
 * variable snapshot.
 */
export class ProcessSupervisor {
  readonly #options: WorkerExecutorOptions;
  readonly #sessions = new Map<string, SessionRecord>();
  #worker: Worker | undefined;
  #starting: Promise<Worker> | undefined;
  #generation = 0;
  #nextId = 0;
  #closed = false;

  constructor(options: WorkerExecutorOptions) {
    this.#options = options;
    // Start the worker now, in the background, so the first cell does not pay for its
    // start-up; a failure here is reported by the first cell, which tries again.
    this.#currentWorker().catch(() => {});
  }

  /** Live sessions in the current worker, as it last reported. */
  get sessionCount(): number {
    const worker = this.#worker;
    return worker?.accepting ? worker.sessionCount : 0;
  }

  /** Process id of the current worker, if one runs. */
  get workerPid(): number | undefined {
    const worker = this.#worker;
    return worker && !worker.exited ? worker.child.pid : undefined;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(EXECUTOR_NAME);
    const startedAt = performance.now();
    const hooks = bindToCaller(request.tools ?? {}, request.onOutput, replyLimitsFor(this.#options.memoryLimitMb));
    if (request.signal?.aborted) return abortedBeforeStart(startedAt);

    const record = this.#record(request.sessionId);
    // one cell per session at a time here, so a restart sees the latest snapshot
    const current = record.queue.then(() => this.#run(record, request, hooks, startedAt));
    record.queue = current.catch(() => {});
    return current;
  }

  /**
   * Drops a session here and in the worker: its next cell starts over from
   * the request's variables. Sent at once, so the worker sees it before any
   * later cell of that id; resolves when the cells already under way end.
   */
  async forgetSession(sessionId: string): Promise<void> {
    const record = this.#sessions.get(sessionId);
    this.#sessions.delete(sessionId);
    const send = (): void => {
      const current = this.#worker;
      if (current?.accepting) current.send({ type: "forget", sessionId });
    };
    send();
    await record?.queue;
    // A cell that was still waiting for a starting worker reached it only now: forget its session there too.
    if (record !== undefined && !this.#sessions.has(sessionId)) send();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#sessions.clear();
    const worker = this.#worker ?? (await this.#starting?.catch(() => undefined));
    this.#worker = undefined;
    if (!worker) return;
    worker.retiring = true;
    for (const cell of worker.pending.values()) cell.settle({ closed: true });
    // Hold the event loop until the exit is seen: an idle worker's handles are
    // unref'd, so once the kill timer fired nothing else might keep this
    // process alive and close() would never settle (a worker
    // disposing hundreds of isolates outlives the grace).
    worker.hold();
    worker.send({ type: "close" });
    const timer = setTimeout(() => worker.kill(), CLOSE_GRACE_MS);
    await worker.exitedPromise;
    clearTimeout(timer);
  }

  async #run(
    record: SessionRecord,
    request: ExecuteRequest,
    hooks: CallerHooks,
    startedAt: number
  ): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(EXECUTOR_NAME);
    if (request.signal?.aborted) return abortedBeforeStart(startedAt);
    // transformed here, so the worker loads only what runs cells and a
    // syntax error is answered without it (even while it still starts)
    const prepared = prepareCell(request.code, ++record.cellCount);
    if (!prepared.ok) {
      const worker = this.#worker;
      const live = worker?.accepting === true && worker.generation === record.generation;
      return answeredOnHost(record, live, request, prepared.error, startedAt);
    }
    const worker = await this.#currentWorker();
    const moved = record.generation !== -1 && record.generation !== worker.generation;
    const fromRecord = moved || (record.generation === -1 && record.variables);
    const { kept: restoreFrom, dropped } = sendable(fromRecord ? record.variables : request.variables);
    const definitions = fromRecord ? record.definitions : request.definitions;
    const malformedDefinitions = definitions
      ? parseDefinitions(definitions).code.flatMap((definition) => (isSingleDefinition(definition.source) ? [] : [definition.source]))
      : [];
    const lostOnMove = moved ? record.unsavedVariables : [];
    const id = ++this.#nextId;
    const output = new OutputBuffer(this.#options.maxOutputChars);

    const outcome = await new Promise<{ message: WorkerMessage } | { failure: SandboxFailure } | { closed: true }>((resolve) => {
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const settle: PendingCell["settle"] = (value) => {
        if (settled) return;
        settled = true;
        for (const timer of timers) clearTimeout(timer);
        request.signal?.removeEventListener("abort", onAbort);
        worker.pending.delete(id);
        worker.idle();
        resolve(value);
      };
      const presumeWedged = (failure: SandboxFailure) => (): void => {
        worker.kill();
        settle({ failure });
      };
      const onAbort = (): void => {
        worker.send({ type: "abort", id });
        timers.push(setTimeout(presumeWedged("abort"), ABORT_GRACE_MS));
      };
      worker.pending.set(id, { dispatch: hooks.dispatch, onOutput: hooks.onOutput, output, settle });
      worker.busy();
      timers.push(setTimeout(presumeWedged("timeout"), this.#options.timeoutMs + WORKER_GRACE_MS));
      request.signal?.addEventListener("abort", onAbort, { once: true });
      worker.send({
        type: "execute",
        id,
        sessionId: request.sessionId,
        cell: prepared.cell,
        tools: Object.keys(request.tools ?? {}),
        ...(restoreFrom ? { variables: restoreFrom } : {}),
        ...(definitions ? { definitions } : {}),
        ...(malformedDefinitions.length > 0 ? { malformedDefinitions } : {}),
      });
    });

    if ("closed" in outcome) throw new ExecutorClosedError(EXECUTOR_NAME);
    if ("failure" in outcome) return this.#lost(record, outcome.failure, output, startedAt);
    const message = outcome.message;
    if (message.type === "failed") {
      if (this.#closed) throw new ExecutorClosedError(EXECUTOR_NAME);
      throw new ExecutorUnavailableError(`The isolated-vm worker failed: ${message.name}: ${message.message}`);
    }
    if (message.type !== "result") throw new Error(`unexpected worker message ${message.type}`);

    const result = message.result;
    record.generation = worker.generation;
    record.variables = result.variables;
    record.definitions = result.definitions;
    record.unsavedVariables = result.unsavedVariables ?? [];
    if (moved || record.noticeSent) {
      // The worker saw a brand-new session: say what the replacement kept instead.
      const change = workerChangeAfterRestart(result.sessionChange, record.noticeSent);
      const combined = record.noticeSent
        ? change
        : combineSessionChanges({ cause: "the sandbox process was replaced", restored: [], lost: lostOnMove }, change ?? { restored: Object.keys(restoreFrom ?? {}), lost: [] });
      if (combined !== undefined) result.sessionChange = combined;
      else delete result.sessionChange;
      record.noticeSent = false;
    }
    if (dropped.length > 0) {
      result.sessionChange = combineSessionChanges(result.sessionChange, { restored: [], lost: dropped });
    }
    result.durationMs = performance.now() - startedAt;
    return result;
  }

  /** The worker died or was killed during the cell: answer with what we have. */
  #lost(record: SessionRecord, failure: SandboxFailure, output: OutputBuffer, startedAt: number): ExecuteResult {
    record.generation = -1;
    record.noticeSent = true;
    const error = failureError(failure, this.#options, "sandbox process");
    return {
      output: output.toString(),
      ...(output.truncated ? { truncated: true } : {}),
      error,
      outputs: [],
      variables: record.variables ?? {},
      ...(record.definitions && { definitions: record.definitions }),
      unsavedVariables: [],
      sessionChange: {
        cause: restartCause(failure),
        restored: [...Object.keys(record.variables ?? {}), ...(record.definitions?.code ?? []).map((definition) => definition.name)],
        lost: [...record.unsavedVariables],
        ...(record.unsavedVariables.length > 0 && { notes: [CANNOT_TRAVEL_NOTE] }),
      },
      durationMs: performance.now() - startedAt,
    };
  }

  #record(sessionId: string): SessionRecord {
    const now = Date.now();
    // Map order is last-use order (re-inserted below): forget sessions idle for longer
    // than the worker keeps them, stopping at the first recent one (O(1) per cell, not O(sessions))
    for (const [id, record] of this.#sessions) {
      if (now - record.lastUsedAt <= this.#options.idleTimeoutMs) break;
      this.#sessions.delete(id);
    }
    let record = this.#sessions.get(sessionId);
    if (record) {
      this.#sessions.delete(sessionId);
    } else {
      record = {
        generation: -1,
        variables: undefined,
        definitions: undefined,
        unsavedVariables: [],
        cellCount: 0,
        noticeSent: false,
        queue: Promise.resolve(),
        lastUsedAt: now,
      };
    }
    this.#sessions.set(sessionId, record);
    record.lastUsedAt = now;
    return record;
  }

  async #currentWorker(): Promise<Worker> {
    const worker = this.#worker;
    if (worker?.accepting) return worker;
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #start(): Promise<Worker> {
    const worker = new Worker(++this.#generation, this.#options, (from, message) => this.#onMessage(from, message));
    worker.child.once("exit", (code, signal) => this.#onExit(worker, code, signal));
    try {
      await worker.ready;
    } catch (error) {
      worker.kill();
      // a prestarted process may die between its check and its adoption: fork one of our own
      if (worker.adopted && !this.#closed) return this.#start();
      throw new ExecutorUnavailableError(`Could not start the isolated-vm worker process: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (this.#closed) {
      worker.kill();
      throw new ExecutorClosedError(EXECUTOR_NAME);
    }
    this.#worker = worker;
    return worker;
  }

  #onMessage(worker: Worker, message: WorkerMessage): void {
    switch (message.type) {
      case "result":
        worker.sessionCount = message.sessionCount;
        worker.pending.get(message.id)?.settle({ message });
        break;
      case "failed":
        worker.pending.get(message.id)?.settle({ message });
        break;
      case "output": {
        const cell = worker.pending.get(message.id);
        cell?.output.append(message.chunk);
        cell?.onOutput?.(message.chunk);
        break;
      }
      case "tool-call": {
        const cell = worker.pending.get(message.id);
        const reply = cell ? cell.dispatch(message.name, message.argumentsJson) : Promise.resolve(NO_RUN_REPLY);
        void reply.then((text) => worker.send({ type: "tool-reply", id: message.id, callId: message.callId, reply: text }));
        break;
      }
      case "sessions":
        worker.sessionCount = message.count;
        break;
      case "wedged":
        // its current cells still answer; then it is replaced (see #retireWhenIdle)
        worker.retiring = true;
        this.#retireWhenIdle(worker);
        break;
      case "ready":
        break;
    }
  }

  #retireWhenIdle(worker: Worker): void {
    if (worker.pending.size === 0) {
      worker.kill();
      return;
    }
    const check = setInterval(() => {
      if (worker.pending.size > 0 && !worker.exited) return;
      clearInterval(check);
      worker.kill();
    }, 20);
  }

  #onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    worker.exited = true;
    worker.retiring = true;
    if (this.#worker === worker) this.#worker = undefined;
    const failure: SandboxFailure = /out of memory|heap limit|allocation failed/i.test(worker.stderrTail) ? "memory" : "crash";
    void code;
    void signal;
    for (const cell of worker.pending.values()) cell.settle({ failure });
  }
}
