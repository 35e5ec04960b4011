import { AsyncResource } from "node:async_hooks";
import type IsolatedVm from "isolated-vm";
import ivm, { type CompiledScript } from "./native.js";
import { GUEST_RUNTIME_FILENAME, GUEST_RUNTIME_SOURCE } from "./guest/runtime.js";
import type { ToolDispatcher } from "./tool-bridge.js";
import { parseGuestResult, type GuestRunResult } from "./guest-result.js";
import type { CodeDefinition, SessionDefinitions } from "../types.js";

/**
 * isolated-vm's async calls started inside a caller's async context leak that
 * context into the caller (PLATFORM.md, "async-context trap"). Every call into
 * isolated-vm starts in this scope, created once at module load.
 */
const rootScope = new AsyncResource("langgraph-codeact.isolated-vm");

export function inRootScope<T>(action: () => T): T {
  return rootScope.runInAsyncScope(action);
}

/** Why a session's isolate was disposed. */
export type SessionFailure = "timeout" | "memory" | "abort" | "crash" | "closed";

/** Callbacks for the cell that is running now, bound to its caller's context. */
export interface RunHooks {
  dispatch: ToolDispatcher;
  onOutput: (stream: "stdout" | "stderr", text: string) => void;
}

export interface IsolateSessionOptions {
  memoryLimitMb: number;
  maxVariableChars: number;
}

/**
 * The reply to a tool call that must never be answered: code still waiting
 * on it stays where it is, so nothing a finished cell left behind (an
 * un-awaited loop, a callback) runs again or reaches a tool.
 */
const NEVER_ANSWERED: Promise<string> = new Promise<string>(() => {});

/** The cell running now: its callbacks and its tool calls not yet answered. */
interface RunningCell {
  hooks: RunHooks;
  pendingToolCalls: number;
}

/** After a cell, output chunks still in flight are awaited for at most this many event-loop turns. */
const MAX_OUTPUT_DRAIN_TURNS = 50;

/**
 * One V8 isolate and context with the guest runtime installed: the live half
 * of a session. Disposed on timeout, memory exhaustion, abort or crash; the
 * executor then builds a new one.
 */
export class IsolateSession {
  readonly #isolate: IsolatedVm.Isolate;
  readonly #context: IsolatedVm.Context;
  readonly #references: IsolatedVm.Reference[];
  readonly #run: IsolatedVm.Reference;
  readonly #setTools: IsolatedVm.Reference;
  readonly #restore: IsolatedVm.Reference;
  /** Rejecters of the calls into the isolate under way ({@link #race}); kill() calls them. */
  readonly #failureListeners = new Set<(failure: SessionFailure) => void>();
  #failure: SessionFailure | undefined;
  #cell: RunningCell | undefined;
  #toolKey = "";
  #chunksReceived = 0;

  private constructor(parts: {
    isolate: IsolatedVm.Isolate;
    context: IsolatedVm.Context;
    references: IsolatedVm.Reference[];
    run: IsolatedVm.Reference;
    setTools: IsolatedVm.Reference;
    restore: IsolatedVm.Reference;
  }) {
    this.#isolate = parts.isolate;
    this.#context = parts.context;
    this.#references = parts.references;
    this.#run = parts.run;
    this.#setTools = parts.setTools;
    this.#restore = parts.restore;
  }

  /**
   * Creates an isolate with the guest runtime (console, tools, snapshots).
   *
   * `"now"` (a cell is waiting) builds it with isolated-vm's synchronous calls:
   * each async call is a thread hop (~0.2 ms, several under load) and the
   * work itself is short. `"background"` (the pool's refill) creates the
   * context, the longest step after the Isolate constructor (which has no
   * async form), with the async call on isolated-vm's thread, so the event
   * loop is never blocked for the whole build at once and other sessions'
   * cells, tool replies and aborts get in between; the runtime install
   * (~0.3 ms with the code cache) stays synchronous, as more hops would slow
   * the refill. Neither runs user code: the isolate is new.
   */
  static async create(options: IsolateSessionOptions, mode: "now" | "background" = "now"): Promise<IsolateSession> {
    let session: IsolateSession | undefined;
    let catastrophic: string | undefined;
    const isolate = inRootScope(
      () =>
        new ivm.Isolate({
          memoryLimit: options.memoryLimitMb,
          // V8 lost control of the isolate (seen on out-of-memory): its thread is stuck,
          // so fail the session now instead of waiting for a reply that never comes
          onCatastrophicError: (message) => {
            catastrophic = message;
            process.emitWarning(
              `isolated-vm lost control of a sandbox isolate (${message}). The session is rebuilt, but the old ` +
                "isolate's thread and memory cannot be freed and the process may no longer exit on its own: restart it when convenient.",
              { code: "CODEACT_ISOLATE_CATASTROPHIC" }
            );
            session?.kill(/memory/i.test(message) ? "memory" : "crash");
          },
        })
    );
    try {
      // the sync API also stays clear of the async-context trap; the async one starts in the root scope
      const context =
        mode === "now" ? isolate.createContextSync() : await inRootScope(() => isolate.createContext());
      // The session is created below; these closures read it lazily.
      const bridge = new ivm.Reference((name: string, argumentsJson: string): Promise<string> =>
        session ? session.#dispatch(name, argumentsJson) : NEVER_ANSWERED
      );
      const output = new ivm.Reference((stream: unknown, text: unknown): void => {
        if (!session) return;
        session.#chunksReceived += 1;
        const cell = session.#cell;
        if (cell && typeof text === "string") cell.hooks.onOutput(stream === "stderr" ? "stderr" : "stdout", text);
      });
      const args: RuntimeArguments = [bridge, output, options.maxVariableChars];
      const [run, setTools, restore] = installRuntime(isolate, context, args);
      session = new IsolateSession({
        isolate,
        context,
        references: [bridge, output, run, setTools, restore],
        run,
        setTools,
        restore,
      });
      if (catastrophic !== undefined || isolate.isDisposed) session.kill("crash");
      return session;
    } catch (error) {
      if (!isolate.isDisposed) isolate.dispose();
      throw error;
    }
  }

  /** Set when the isolate was disposed; the session is then unusable. */
  get failure(): SessionFailure | undefined {
    return this.#failure;
  }

  get disposed(): boolean {
    return this.#failure !== undefined;
  }

  /** Installs the tool globals, only when the set of names changed. */
  async setTools(names: readonly string[]): Promise<void> {
    const key = [...names].sort().join("\0");
    if (key === this.#toolKey) return;
    await this.#race(
      inRootScope(() => this.#setTools.apply(undefined, [[...names]], { arguments: { copy: true } }))
    );
    this.#toolKey = key;
  }

  /**
   * Sets globals from JSON texts and replays saved definitions (which run
   * model code: bounded by `timeoutMs`); returns what came back and what
   * did not, with the reason.
   */
  async restore(
    entries: Record<string, string>,
    definitions?: SessionDefinitions,
    timeoutMs?: number
  ): Promise<{ restored: string[]; lost: Array<{ name: string; reason: string }> }> {
    const reply: unknown = await this.#race(
      inRootScope(() =>
        this.#restore.apply(undefined, [entries, definitions ?? null], {
          arguments: { copy: true },
          result: { copy: true },
          ...(timeoutMs !== undefined && { timeout: Math.max(1, Math.ceil(timeoutMs)) }),
        })
      )
    );
    const record = (typeof reply === "object" && reply !== null ? reply : {}) as { restored?: unknown; lost?: unknown };
    const restored = Array.isArray(record.restored) ? record.restored.filter((name): name is string => typeof name === "string") : [];
    const lost = Array.isArray(record.lost)
      ? record.lost.flatMap((entry: unknown) =>
          Array.isArray(entry) && typeof entry[0] === "string" ? [{ name: entry[0], reason: String(entry[1] ?? "") }] : []
        )
      : [];
    return { restored, lost };
  }

  /**
   * Runs a transformed cell. Rejects when the isolate dies (see
   * {@link failure}); errors of the user's code are in the result.
   */
  async run(
    script: string,
    timeoutMs: number,
    hooks: RunHooks,
    toolNames?: readonly string[],
    definitions?: readonly CodeDefinition[]
  ): Promise<GuestRunResult> {
    const cell: RunningCell = { hooks, pendingToolCalls: 0 };
    this.#cell = cell;
    // the tool globals travel with the cell (one call into the isolate, not two), only when they changed
    const toolKey = toolNames ? [...toolNames].sort().join("\0") : this.#toolKey;
    const names = toolKey === this.#toolKey ? null : [...(toolNames ?? [])];
    try {
      const reply: unknown = await this.#race(
        inRootScope(() =>
          this.#run.apply(undefined, [script, names, definitions?.length ? definitions.map((d) => [d.name, d.source]) : null], {
            arguments: { copy: true },
            // covers the synchronous part; the executor's watchdog covers the rest
            timeout: Math.max(1, Math.ceil(timeoutMs)),
            result: { promise: true, copy: true },
          })
        )
      );
      if (names) this.#toolKey = toolKey;
      const result = parseGuestResult(reply);
      await this.#drainOutput(result.chunks);
      // the guest counts calls it started, even those the host had not received yet
      return { ...result.run, abandonedToolCalls: Math.max(cell.pendingToolCalls, result.pendingCalls) };
    } finally {
      this.#cell = undefined;
    }
  }

  /**
   * A tool call from the guest: answered only while the cell that made it is
   * running. Between cells only code a finished cell left behind can call,
   * and a reply arriving after its cell ended would resume that code in the
   * next one; neither is ever answered.
   */
  #dispatch(name: string, argumentsJson: string): Promise<string> {
    const cell = this.#cell;
    if (!cell) return NEVER_ANSWERED;
    cell.pendingToolCalls += 1;
    return cell.hooks.dispatch(name, argumentsJson).then((reply) => {
      if (this.#cell !== cell) return NEVER_ANSWERED;
      cell.pendingToolCalls -= 1;
      return reply;
    });
  }

  /** Stops whatever runs and frees the isolate. Idempotent. */
  kill(failure: SessionFailure): void {
    if (this.#failure !== undefined) return;
    this.#failure = failure;
    this.#cell = undefined;
    for (const reject of this.#failureListeners) reject(failure);
    this.#failureListeners.clear();
    for (const reference of this.#references) reference.release();
    this.#context.release();
    try {
      if (!this.#isolate.isDisposed) this.#isolate.dispose();
    } catch {
      // already gone
    }
  }

  /** Output travels on its own messages; wait for those the guest sent before its reply. */
  async #drainOutput(chunksSent: number): Promise<void> {
    for (let turn = 0; this.#chunksReceived < chunksSent && turn < MAX_OUTPUT_DRAIN_TURNS; turn += 1) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** A call into the isolate, or the session's failure if that comes first. */
  async #race<T>(call: Promise<T>): Promise<T> {
    if (this.#failure !== undefined) throw new SessionFailedError(this.#failure);
    call.catch(() => {}); // the failure may win the race
    // a failure promise per call, dropped when the call ends: racing one session-long
    // promise added a reaction to it per call, and each kept that call's reply alive
    let reject!: (failure: SessionFailure) => void;
    const failed = new Promise<never>((_resolve, rejectCall) => {
      reject = rejectCall;
    });
    this.#failureListeners.add(reject);
    try {
      return await Promise.race([call, failed]);
    } catch (error) {
      if (this.#failure !== undefined) throw new SessionFailedError(this.#failure, error);
      const failure = classifyIsolateError(error);
      this.kill(failure);
      throw new SessionFailedError(failure, error);
    } finally {
      this.#failureListeners.delete(reject);
    }
  }
}

/** The runtime as a function expression: compiled with V8's code cache, shared by all isolates. */
const GUEST_RUNTIME_FACTORY = `(function ($0, $1, $2) {${GUEST_RUNTIME_SOURCE}\n})`;
/** V8 code cache of the runtime: a new session compiles it ~3x faster (0.27 vs 0.76 ms here). */
let runtimeCodeCache: IsolatedVm.ExternalCopy<ArrayBuffer> | undefined;

type RuntimeArguments = [bridge: IsolatedVm.Reference, output: IsolatedVm.Reference, maxVariableChars: number];
type RuntimeReferences = [run: IsolatedVm.Reference, setTools: IsolatedVm.Reference, restore: IsolatedVm.Reference];
const RUNTIME_EXPORTS = ["run", "setTools", "restore"] as const;

function compileOptions(): IsolatedVm.ScriptOrigin & IsolatedVm.CachedDataOptions {
  const cache = runtimeCodeCache;
  return { filename: GUEST_RUNTIME_FILENAME, ...(cache ? { cachedData: cache } : { produceCachedData: true }) };
}

function keepCodeCache(script: CompiledScript, offered: boolean): void {
  if (!offered && script.cachedData) runtimeCodeCache = script.cachedData;
  if (offered && script.cachedDataRejected === true) runtimeCodeCache = undefined;
}

function installRuntime(isolate: IsolatedVm.Isolate, context: IsolatedVm.Context, args: RuntimeArguments): RuntimeReferences {
  const options = compileOptions();
  const script: CompiledScript = isolate.compileScriptSync(GUEST_RUNTIME_FACTORY, options);
  keepCodeCache(script, options.cachedData !== undefined);
  const factory = script.runSync(context, { reference: true, release: true }) as IsolatedVm.Reference;
  const runtime = factory.applySync(undefined, args, { result: { reference: true } }) as IsolatedVm.Reference;
  factory.release();
  const references = RUNTIME_EXPORTS.map((name) => runtime.getSync(name, { reference: true })) as RuntimeReferences;
  runtime.release();
  return references;
}

/** The isolate died during a call; `failure` says why. */
export class SessionFailedError extends Error {
  readonly failure: SessionFailure;

  constructor(failure: SessionFailure, cause?: unknown) {
    super(`isolate session failed: ${failure}`, cause === undefined ? undefined : { cause });
    this.name = "SessionFailedError";
    this.failure = failure;
  }
}

function classifyIsolateError(error: unknown): SessionFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (/memory limit/i.test(message)) return "memory";
  if (/timed out/i.test(message)) return "timeout";
  return "crash";
}
