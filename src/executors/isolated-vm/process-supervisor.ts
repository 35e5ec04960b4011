import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ExecutorClosedError, ExecutorUnavailableError } from "../errors.js";
import type { ExecuteRequest, ExecuteResult, ExecutionError, JsonValue } from "../types.js";
import { OutputBuffer } from "../../shared/clip.js";
import { bindToCaller, type CallerHooks, type ToolDispatcher } from "./tool-bridge.js";
import type { HostMessage, WorkerExecutorOptions, WorkerMessage } from "./worker-protocol.js";

/** A worker that has not said "ready" by then is treated as unable to start. */
export const WORKER_START_TIMEOUT_MS = 30_000;
/** Extra time past `timeoutMs` before a silent worker is presumed wedged and killed. */
export const WORKER_GRACE_MS = 3_000;
/** After an abort, how long the worker may take to answer before it is killed. */
const ABORT_GRACE_MS = 1_000;
/** How long `close()` lets the worker exit by itself before killing it. */
const CLOSE_GRACE_MS = 500;
/** Bytes of the worker's stderr kept to explain a crash. */
const STDERR_TAIL_CHARS = 4_000;

const EXECUTOR_NAME = "isolated-vm";
const NO_RUN_REPLY = JSON.stringify({
  error: { name: "Error", message: "Tools can only be called while a cell is running." },
});

type Failure = "timeout" | "memory" | "abort" | "crash";

const FAILURE_WORDS: Record<Failure, string> = {
  timeout: "a timeout",
  memory: "running out of memory",
  abort: "an abort",
  crash: "a crash",
};

/** A cell waiting for its worker. */
interface PendingCell {
  dispatch: ToolDispatcher;
  onOutput: ((chunk: string) => void) | undefined;
  output: OutputBuffer;
  settle: (outcome: { message: WorkerMessage } | { failure: Failure } | { closed: true }) => void;
}

/** Host-side memory of one session, kept across worker restarts. */
interface SessionRecord {
  /** The worker generation holding the live session; -1 when none does. */
  generation: number;
  saved: Record<string, JsonValue> | undefined;
  unsaved: string[];
  /** A restart notice already went out; do not repeat the worker's own "New session" words. */
  noticeSent: boolean;
  queue: Promise<unknown>;
  lastUsedAt: number;
}

/** One worker process. */
class Worker {
  readonly generation: number;
  readonly child: ChildProcess;
  readonly pending = new Map<number, PendingCell>();
  readonly ready: Promise<void>;
  sessionCount = 0;
  stderrTail = "";
  /** Set once the worker must not take new cells (wedged, crashed or closing). */
  retiring = false;
  exited = false;
  readonly exitedPromise: Promise<void>;
  #held = false;

  constructor(generation: number, options: WorkerExecutorOptions, onMessage: (worker: Worker, message: WorkerMessage) => void) {
    this.generation = generation;
    const { entry, execArgv } = workerEntry();
    this.child = fork(entry, [], {
      execArgv,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "json",
    });
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_TAIL_CHARS);
    });
    this.exitedPromise = new Promise((resolve) => this.child.once("exit", () => resolve()));
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the worker did not start within ${WORKER_START_TIMEOUT_MS} ms`));
        this.kill();
      }, WORKER_START_TIMEOUT_MS);
      const onReady = (message: WorkerMessage): void => {
        if (message.type !== "ready") return;
        clearTimeout(timer);
        this.child.off("message", onReady);
        resolve();
      };
      this.child.on("message", onReady);
      this.child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the worker exited during start-up (${signal ?? code}): ${this.stderrTail.trim().slice(-500)}`));
      });
      this.child.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    this.ready.catch(() => {});
    this.child.on("message", (message: WorkerMessage) => onMessage(this, message));
    this.send({ type: "init", options });
    this.idle();
  }

  send(message: HostMessage): void {
    if (this.exited || !this.child.connected) return;
    this.child.send(message, (error) => {
      if (error) this.kill(); // a broken channel is a dead worker
    });
  }

  /** Keeps the host process alive only while cells are waiting (or close() awaits the exit). */
  busy(): void {
    this.child.ref();
    this.child.channel?.ref();
  }

  /** From now on the host waits for this worker: {@link idle} no longer unrefs it. */
  hold(): void {
    this.#held = true;
    this.busy();
  }

  idle(): void {
    if (this.pending.size > 0 || this.#held) return;
    this.child.unref();
    this.child.channel?.unref();
  }

  kill(): void {
    this.retiring = true;
    if (this.exited) return;
    this.child.kill("SIGKILL");
  }
}

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
    return worker && !worker.exited && !worker.retiring ? worker.sessionCount : 0;
  }

  /** Process id of the current worker, if one runs. */
  get workerPid(): number | undefined {
    const worker = this.#worker;
    return worker && !worker.exited ? worker.child.pid : undefined;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(EXECUTOR_NAME);
    const startedAt = performance.now();
    const hooks = bindToCaller(request.tools ?? {}, request.onOutput);
    if (request.signal?.aborted) return aborted(startedAt);

    const record = this.#record(request.sessionId);
    // one cell per session at a time here, so a restart sees the latest snapshot
    const current = record.queue.then(() => this.#run(record, request, hooks, startedAt));
    record.queue = current.catch(() => {});
    return current;
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
    // process alive and close() would never settle (issue 7: a worker
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
    if (request.signal?.aborted) return aborted(startedAt);
    const worker = await this.#currentWorker();
    const moved = record.generation !== -1 && record.generation !== worker.generation;
    const restoreFrom = moved || (record.generation === -1 && record.saved) ? record.saved : request.variables;
    const lostOnMove = moved ? record.unsaved : [];
    const id = ++this.#nextId;
    const output = new OutputBuffer(this.#options.maxOutputChars);

    const outcome = await new Promise<{ message: WorkerMessage } | { failure: Failure } | { closed: true }>((resolve) => {
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
      const presumeWedged = (failure: Failure) => (): void => {
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
        code: request.code,
        tools: Object.keys(request.tools ?? {}),
        ...(restoreFrom ? { variables: restoreFrom } : {}),
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
    record.saved = result.variables;
    record.unsaved = result.unsavedVariables ?? [];
    if (moved || record.noticeSent) {
      // the worker saw a brand-new session; tell the model what the restart kept instead
      const notice = record.noticeSent ? undefined : restartNotice("the sandbox process was replaced", restoreFrom, lostOnMove);
      const rest = (result.sessionNotice ?? "").replace(/^New session: restored variables [^.]*\.\s*/, "");
      const combined = [notice, rest].filter(Boolean).join(" ");
      if (combined) result.sessionNotice = combined;
      else delete result.sessionNotice;
      record.noticeSent = false;
    }
    result.durationMs = performance.now() - startedAt;
    return result;
  }

  /** The worker died or was killed during the cell: answer with what we have. */
  #lost(record: SessionRecord, failure: Failure, output: OutputBuffer, startedAt: number): ExecuteResult {
    record.generation = -1;
    record.noticeSent = true;
    const error = failureError(failure, this.#options);
    return {
      output: output.toString(),
      ...(output.truncated ? { truncated: true } : {}),
      error,
      outputs: [],
      variables: record.saved ?? {},
      unsavedVariables: [],
      sessionNotice: restartNotice(`the sandbox was restarted after ${FAILURE_WORDS[failure]}`, record.saved, record.unsaved),
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
      record = { generation: -1, saved: undefined, unsaved: [], noticeSent: false, queue: Promise.resolve(), lastUsedAt: now };
    }
    this.#sessions.set(sessionId, record);
    record.lastUsedAt = now;
    return record;
  }

  async #currentWorker(): Promise<Worker> {
    const worker = this.#worker;
    if (worker && !worker.retiring && !worker.exited) return worker;
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
    const failure: Failure = /out of memory|heap limit|allocation failed/i.test(worker.stderrTail) ? "memory" : "crash";
    void code;
    void signal;
    for (const cell of worker.pending.values()) cell.settle({ failure });
  }
}

/**
 * Where the worker script is, and how to run it: the compiled `.js` beside
 * this module under plain Node, or the `.ts` source through tsx when this
 * module itself runs from source (tests).
 */
function workerEntry(): { entry: string; execArgv: string[] } {
  const here = currentModuleFile();
  const extension = path.extname(here);
  const entry = path.join(path.dirname(here), `process-worker${extension}`);
  const execArgv = ["--no-node-snapshot"];
  if (extension === ".ts") {
    const tsx = createRequire(here).resolve("tsx");
    execArgv.push("--import", pathToFileURL(tsx).href);
  }
  return { entry, execArgv };
}

/**
 * This module's file, from a structured V8 stack trace: works both as ESM
 * (where `import.meta` would be needed) and as CommonJS (`__filename`), which
 * one source cannot otherwise do.
 */
function currentModuleFile(): string {
  const original = Error.prepareStackTrace;
  let file: string | undefined;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[];
    file = frames[0]?.getFileName() ?? undefined;
  } finally {
    Error.prepareStackTrace = original;
  }
  if (!file) throw new ExecutorUnavailableError("Cannot locate the isolated-vm worker script.");
  return file.startsWith("file:") ? fileURLToPath(file) : file;
}

function restartNotice(
  what: string,
  saved: Record<string, JsonValue> | undefined,
  lost: readonly string[]
): string {
  const names = Object.keys(saved ?? {});
  const restored = names.length > 0 ? `variables ${names.join(", ")} are restored from the last snapshot` : "no variables to restore";
  const sentence = `${what[0]?.toUpperCase() ?? ""}${what.slice(1)}: ${restored}`;
  return sentence + (lost.length > 0 ? `; ${lost.join(", ")} could not be saved and must be defined again.` : ".");
}

function failureError(failure: Failure, options: WorkerExecutorOptions): ExecutionError {
  switch (failure) {
    case "timeout":
      return { name: "TimeoutError", message: `The cell ran longer than ${options.timeoutMs} ms and was stopped.` };
    case "memory":
      return {
        name: "MemoryLimitError",
        message: `The cell used more than the ${options.memoryLimitMb} MB memory limit and was stopped.`,
      };
    case "abort":
      return { name: "AbortError", message: "The run was aborted." };
    default:
      return { name: "SessionCrashedError", message: "The sandbox process crashed while running the cell." };
  }
}

function aborted(startedAt: number): ExecuteResult {
  return {
    output: "",
    error: { name: "AbortError", message: "The run was aborted before it started." },
    outputs: [],
    durationMs: performance.now() - startedAt,
  };
}
