import { performance } from "node:perf_hooks";
import { ExecutorClosedError } from "../errors.js";
import type {
  ExecuteRequest,
  ExecuteResult,
  ExecutionError,
  ExecutionLimits,
  Executor,
  JsonValue,
} from "../types.js";
import { IsolateSession, SessionFailedError, type SessionFailure } from "./isolate-session.js";
import { OutputBuffer } from "../../shared/clip.js";
import { ProcessSupervisor } from "./process-supervisor.js";
import { SessionPool } from "./session-pool.js";
import { bindToCaller, type CallerHooks } from "./tool-bridge.js";
import { transformCell } from "./transform.js";

/** Wall-clock limit of one cell, awaited tool calls included. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** V8 heap limit of each session's isolate (a guideline: V8 may overshoot it). */
export const DEFAULT_MEMORY_LIMIT_MB = 128;
/** Cap on a cell's returned output; head and tail are kept. */
export const DEFAULT_MAX_OUTPUT_CHARS = 20_000;
/** Sessions unused this long are disposed. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;
/** Largest JSON text of one global that goes into the variable snapshot. */
export const DEFAULT_MAX_VARIABLE_CHARS = 1_000_000;
/** Ready isolates kept for new sessions; see {@link IsolatedVmExecutorOptions.prewarmSessions}. */
export const DEFAULT_PREWARM_SESSIONS = 2;
/** Where isolates run by default; see {@link IsolatedVmExecutorOptions.isolation}. */
export const DEFAULT_ISOLATION: IsolationMode = "process";

/**
 * Where the isolates run. `"in-process"`: in this process (fastest). `"process"`:
 * in one supervised worker process, so a V8 failure that can crash or wedge a
 * process (out-of-memory inside V8) costs only the worker, which is killed and
 * replaced while sessions are restored from their snapshots.
 */
export type IsolationMode = "in-process" | "process";

/** Options of {@link IsolatedVmExecutor}. */
export interface IsolatedVmExecutorOptions extends ExecutionLimits {
  /**
   * Wall-clock limit of one cell, including time spent awaiting tools; a
   * host watchdog disposes the isolate when it runs out.
   * @defaultValue `30_000`
   */
  timeoutMs?: number;
  /** Heap limit of each session's isolate, in MB. @defaultValue `128` */
  memoryLimitMb?: number;
  /** Cap on {@link ExecuteResult.output}. @defaultValue `20_000` */
  maxOutputChars?: number;
  /** Idle sessions are disposed after this long. @defaultValue `600_000` (10 min) */
  idleTimeoutMs?: number;
  /** When set, the least recently used idle session is evicted beyond this many. */
  maxSessions?: number;
  /** Per-global cap on the snapshot's JSON text. @defaultValue `1_000_000` */
  maxVariableChars?: number;
  /**
   * Where isolates run: `"in-process"` or `"process"` (a supervised worker
   * process, restarted after crashes). @defaultValue `"process"`
   */
  isolation?: IsolationMode;
  /**
   * Isolates kept ready (runtime installed) so a new session starts without
   * building one; refilled in the background. `0` turns the pool off.
   * @defaultValue `2`
   */
  prewarmSessions?: number;
}

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

/** One session id's state across isolate rebuilds. */
interface SessionSlot {
  id: string;
  session: IsolateSession | undefined;
  /** Last snapshot, as JSON text per global (kept as text so later diffs are cheap). */
  saved: Map<string, string>;
  unsaved: string[];
  cellCount: number;
  /** Tail of the per-session queue: cells of one session run one at a time. */
  queue: Promise<unknown>;
  running: number;
  idleTimer: NodeJS.Timeout | undefined;
}

const FAILURE_WORDS: Record<SessionFailure, string> = {
  timeout: "a timeout",
  memory: "running out of memory",
  abort: "an abort",
  crash: "a crash",
  closed: "the executor closing",
};

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
  readonly #slots = new Map<string, SessionSlot>();
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
    let count = 0;
    for (const slot of this.#slots.values()) if (slot.session && !slot.session.disposed) count += 1;
    return count;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(this.name);
    if (this.#supervisor) return this.#supervisor.execute(request);
    // Bound here, at entry, so tools and streaming run in the caller's context (tracing)
    const tools = request.tools ?? {};
    return this.#execute(request, { ...bindToCaller(tools, request.onOutput), toolNames: Object.keys(tools) });
  }

  static {
    executeWithHooks = (executor, request, hooks) => executor.#execute(request, hooks);
  }

  async #execute(request: ExecuteRequest, hooks: CellHooks): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(this.name);
    if (this.#supervisor) throw new Error("executeWithHooks() needs in-process isolation");
    const startedAt = performance.now();
    if (request.signal?.aborted) return abortedBeforeStart(startedAt);

    const slot = this.#slot(request.sessionId);
    slot.running += 1;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    const previous = slot.queue;
    const current = previous.then(() => this.#runCell(slot, request, hooks, startedAt));
    slot.queue = current.catch(() => {});
    try {
      return await current;
    } finally {
      slot.running -= 1;
      this.#touch(slot);
      // after the answer: a refill must not slow the cell that took a ready isolate
      this.#pool?.fill();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#supervisor?.close();
    await this.#pool?.close();
    for (const slot of this.#slots.values()) this.#dispose(slot, "closed");
    this.#slots.clear();
  }

  async #runCell(
    slot: SessionSlot,
    request: ExecuteRequest,
    hooks: CellHooks,
    startedAt: number
  ): Promise<ExecuteResult> {
    if (this.#closed) throw new ExecutorClosedError(this.name);
    if (request.signal?.aborted) return abortedBeforeStart(startedAt);

    const notices: string[] = [];
    let session = slot.session;
    if (!session || session.disposed) {
      try {
        session = await this.#startSession(slot, slot.session ? slot.saved : jsonTexts(request.variables), notices);
      } catch (caught) {
        if (!(caught instanceof SessionFailedError)) throw caught;
        if (caught.failure === "closed" || this.#closed) throw new ExecutorClosedError(this.name);
        // e.g. a snapshot too large for the memory limit: drop it so the next cell starts clean
        slot.session?.kill("crash");
        slot.session = undefined;
        slot.saved = new Map();
        slot.unsaved = [];
        notices.push("The saved variables could not be restored; the session starts empty.");
        return this.#result(slot, { output: "", error: this.#failureError(caught.failure), startedAt, notices });
      }
    }
    const live = session;

    const filename = `cell-${++slot.cellCount}.ts`;
    const transformed = transformCell(request.code, filename);
    if (!transformed.ok) {
      return this.#result(slot, { output: "", error: transformed.error, startedAt, notices });
    }

    const output = new OutputBuffer(this.#maxOutputChars);
    let streamedChars = 0;
    const onOutput = (_stream: "stdout" | "stderr", text: string): void => {
      output.append(text);
      if (!hooks.onOutput) return;
      // live output is capped too; the final result keeps head and tail
      if (streamedChars < this.#maxOutputChars) {
        hooks.onOutput(text);
        streamedChars += text.length;
        if (streamedChars >= this.#maxOutputChars) hooks.onOutput("\n... [further output not streamed] ...\n");
      }
    };

    const watchdog = setTimeout(() => live.kill("timeout"), this.#timeoutMs);
    const onAbort = (): void => live.kill("abort");
    request.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const guest = await live.run(
        transformed.cell.script,
        this.#timeoutMs,
        { dispatch: hooks.dispatch, onOutput },
        hooks.toolNames
      );
      slot.saved = new Map(Object.entries(guest.saved));
      slot.unsaved = guest.unsaved;
      const error: ExecutionError | undefined = guest.error && {
        name: guest.error.name,
        message: guest.error.message,
        ...(guest.error.stack
          ? { traceback: fixTraceback(guest.error.stack, filename, transformed.cell.firstLineOffset, request.code) }
          : {}),
      };
      const value = guest.value === undefined ? undefined : new OutputBuffer(this.#maxOutputChars);
      value?.append(guest.value ?? "");
      return this.#result(slot, {
        output: output.toString(),
        truncated: output.truncated || value?.truncated === true,
        value: value?.toString(),
        error,
        startedAt,
        notices,
      });
    } catch (caught) {
      if (!(caught instanceof SessionFailedError)) throw caught;
      if (caught.failure === "closed" || this.#closed) throw new ExecutorClosedError(this.name);
      const error = this.#failureError(caught.failure);
      await this.#startSession(slot, slot.saved, notices, caught.failure).catch(() => {
        notices.push("The sandbox could not be restarted yet; the next cell will try again.");
      });
      return this.#result(slot, { output: output.toString(), truncated: output.truncated, error, startedAt, notices });
    } finally {
      clearTimeout(watchdog);
      request.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** A new isolate for the slot, restored from `entries`; records what happened in `notices`. */
  async #startSession(
    slot: SessionSlot,
    entries: Map<string, string>,
    notices: string[],
    after?: SessionFailure
  ): Promise<IsolateSession> {
    slot.session = undefined;
    this.#evictBeyondLimit(slot);
    const session = this.#pool
      ? await this.#pool.take()
      : await IsolateSession.create({ memoryLimitMb: this.#memoryLimitMb, maxVariableChars: this.#maxVariableChars });
    if (this.#closed) {
      session.kill("closed");
      throw new ExecutorClosedError(this.name);
    }
    slot.session = session;
    const restored = entries.size > 0 ? await session.restore(Object.fromEntries(entries)) : [];
    slot.saved = new Map(restored.flatMap((name) => {
      const json = entries.get(name);
      return json === undefined ? [] : [[name, json] as const];
    }));
    const lost = after ? slot.unsaved : [];
    if (!after) slot.unsaved = [];
    if (after) {
      const restoredText =
        restored.length > 0 ? `restored variables ${restored.join(", ")} from the last snapshot` : "no variables to restore";
      notices.push(
        `The sandbox was restarted after ${FAILURE_WORDS[after]}: ${restoredText}` +
          (lost.length > 0 ? `; ${lost.join(", ")} could not be saved and must be defined again.` : ".")
      );
      slot.unsaved = [];
    } else if (restored.length > 0) {
      notices.push(`New session: restored variables ${restored.join(", ")} from the saved snapshot.`);
    }
    return session;
  }

  #failureError(failure: SessionFailure): ExecutionError {
    switch (failure) {
      case "timeout":
        return { name: "TimeoutError", message: `The cell ran longer than ${this.#timeoutMs} ms and was stopped.` };
      case "memory":
        return {
          name: "MemoryLimitError",
          message: `The cell used more than the ${this.#memoryLimitMb} MB memory limit and was stopped.`,
        };
      case "abort":
        return { name: "AbortError", message: "The run was aborted." };
      default:
        return { name: "SessionCrashedError", message: "The sandbox crashed while running the cell." };
    }
  }

  #result(
    slot: SessionSlot,
    parts: {
      output: string;
      startedAt: number;
      notices: string[];
      truncated?: boolean;
      value?: string | undefined;
      error?: ExecutionError | undefined;
    }
  ): ExecuteResult {
    const variables: Record<string, JsonValue> = {};
    for (const [name, json] of slot.saved) variables[name] = JSON.parse(json) as JsonValue;
    return {
      output: parts.output,
      ...(parts.value !== undefined ? { value: parts.value } : {}),
      ...(parts.error ? { error: parts.error } : {}),
      outputs: [],
      variables,
      unsavedVariables: [...slot.unsaved],
      ...(parts.notices.length > 0 ? { sessionNotice: parts.notices.join(" ") } : {}),
      ...(parts.truncated ? { truncated: true } : {}),
      durationMs: performance.now() - parts.startedAt,
    };
  }

  #slot(sessionId: string): SessionSlot {
    let slot = this.#slots.get(sessionId);
    if (slot) {
      // Map order doubles as LRU order
      this.#slots.delete(sessionId);
    } else {
      slot = {
        id: sessionId,
        session: undefined,
        saved: new Map(),
        unsaved: [],
        cellCount: 0,
        queue: Promise.resolve(),
        running: 0,
        idleTimer: undefined,
      };
    }
    this.#slots.set(sessionId, slot);
    return slot;
  }

  /** Restarts the idle clock of a slot that has nothing queued. */
  #touch(slot: SessionSlot): void {
    if (slot.running > 0 || this.#closed) return;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (slot.running === 0 && this.#slots.get(slot.id) === slot) {
        this.#dispose(slot, "closed");
        this.#slots.delete(slot.id);
      }
    }, this.#idleTimeoutMs);
    slot.idleTimer.unref();
  }

  /** Keeps at most `maxSessions` isolates, evicting the least recently used idle ones. */
  #evictBeyondLimit(keep: SessionSlot): void {
    if (this.#maxSessions === undefined) return;
    let live = this.sessionCount + 1; // the one about to start
    for (const slot of this.#slots.values()) {
      if (live <= this.#maxSessions) break;
      if (slot === keep || slot.running > 0 || !slot.session || slot.session.disposed) continue;
      this.#dispose(slot, "closed");
      this.#slots.delete(slot.id);
      live -= 1;
    }
  }

  #dispose(slot: SessionSlot, failure: SessionFailure): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.session?.kill(failure);
  }
}

/** Creates an {@link IsolatedVmExecutor}. */
export function createIsolatedVmExecutor(options: IsolatedVmExecutorOptions = {}): IsolatedVmExecutor {
  return new IsolatedVmExecutor(options);
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}.`);
  return value;
}

function jsonTexts(variables: Record<string, JsonValue> | undefined): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [name, value] of Object.entries(variables ?? {})) {
    const json = JSON.stringify(value);
    if (json !== undefined) entries.set(name, json);
  }
  return entries;
}

function abortedBeforeStart(startedAt: number): ExecuteResult {
  return {
    output: "",
    error: { name: "AbortError", message: "The run was aborted before it started." },
    outputs: [],
    durationMs: performance.now() - startedAt,
  };
}

/**
 * Our prefix shares the cell's first line: shift those columns back. The
 * frame of our wrapper's call (the line after the cell) is dropped.
 */
function fixTraceback(stack: string, filename: string, offset: number, code: string): string {
  const escaped = filename.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const wrapperLine = code.split("\n").length + 1;
  return stack
    .split("\n")
    .filter((line) => !new RegExp(`^\\s+at (async )?${escaped}:${wrapperLine}:\\d+$`).test(line))
    .join("\n")
    .replace(new RegExp(`${escaped}:1:(\\d+)`, "g"), (_match, column: string) => {
      return `${filename}:1:${Math.max(1, Number(column) - offset)}`;
    });
}

function describeSandbox(timeoutMs: number, memoryLimitMb: number, maxOutputChars: number): string {
  const seconds = timeoutMs / 1000;
  return [
    "Your code runs as JavaScript in an isolated V8 sandbox (TypeScript syntax is accepted; types are ignored).",
    "It works like a REPL: top-level variables, functions and classes persist between code blocks, top-level `await` works, and the value of the last expression is shown.",
    "Print with console.log (objects, arrays, Maps and errors are pretty-printed).",
    "Tools are async global functions: always `await` them, and run independent calls together with `await Promise.all([...])`. Tool arguments and results are JSON values.",
    "Only standard JavaScript built-ins exist (JSON, Math, Date, Intl, RegExp, Map, Set, Promise, typed arrays, ...): there is no require/import, no process, no filesystem, no network or fetch, no setTimeout or other timers, and no Node.js or browser APIs.",
    `Limits: each code block may run for ${seconds} seconds and use about ${memoryLimitMb} MB of memory; output over ${maxOutputChars} characters is cut in the middle.`,
    "If a block hits a limit the sandbox restarts: variables holding JSON data are restored, while functions, class instances, Maps and Sets are lost and must be defined again.",
  ].join("\n");
}
