import { ExecutorClosedError, ExecutorError, ExecutorProtocolError } from "../errors.js";
import { combineSessionChanges, type SessionChange } from "../session-change.js";
import type { ExecuteRequest, ExecuteResult, ExecutionError, Executor, HostFunction } from "../types.js";
import { TIMED_OUT, withTimeout } from "../../shared/timeout.js";
import { CellOutput, cappedError, cellNotes } from "./cell-output.js";
import { KernelDiedError, isKernelLoss } from "./kernel-protocol.js";
import { parseSnapshot, type KernelSession, type Snapshot } from "./kernel-session.js";
import { JupyterClient } from "./rest-client.js";
import { formatResumeToken } from "./resume-token.js";
import { SessionLifecycle, SETUP_TIMEOUT_MS } from "./session-lifecycle.js";
import { withNote } from "./session-changes.js";
import { snapshotExpression } from "./python-runtime.js";
import { noDefinitions } from "../session-definitions.js";
import { answerInputRequest } from "./tool-channel.js";
import {
  DEFAULT_INTERRUPT_GRACE_MS,
  DEFAULT_KERNEL_NAME,
  DEFAULT_MAX_OUTPUT_CHARS,
  DEFAULT_MAX_RICH_OUTPUT_CHARS,
  DEFAULT_MAX_RICH_OUTPUTS,
  DEFAULT_MAX_TOOL_RESULT_BYTES,
  DEFAULT_MAX_VARIABLE_CHARS,
  DEFAULT_TIMEOUT_MS,
  positive,
  warmKernelCount,
  type JupyterExecutorOptions,
} from "./options.js";

/** Tool stubs are only installed under names Python can call. */
const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

type CellEnd =
  | { kind: "done"; reply: Record<string, unknown> }
  | { kind: "failed"; error: unknown }
  /** `kernelStopped`: the cell ended within the grace period after the interrupt. */
  | { kind: "timeout" | "abort"; kernelStopped: boolean };

/** What the cell's end did to the session. */
interface Outcome {
  error?: ExecutionError;
  snapshot?: Snapshot;
  change?: SessionChange;
}

/**
 * Runs Python in Jupyter kernels: one kernel per session, on any server that
 * speaks the Jupyter Server REST + WebSocket kernel API.
 */
export class JupyterExecutor implements Executor {
  readonly name = "jupyter";
  readonly language = "python" as const;
  readonly description: string;

  readonly #client: JupyterClient;
  readonly #sessions: SessionLifecycle;
  readonly #timeoutMs: number;
  readonly #maxOutputChars: number;
  readonly #interruptGraceMs: number;
  readonly #maxVariableChars: number;
  readonly #keepImages: boolean;
  readonly #maxToolResultBytes: number;
  readonly #maxRichOutputs: number;
  readonly #maxRichOutputChars: number;
  /** Per-session queue: cells of one session run one after another. */
  readonly #queues = new Map<string, Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(options: JupyterExecutorOptions) {
    this.#client = new JupyterClient(options);
    this.#sessions = new SessionLifecycle(this.#client, {
      kernelName: options.kernelName ?? DEFAULT_KERNEL_NAME,
      keepKernelsOnClose: options.keepKernelsOnClose ?? false,
      executorName: this.name,
      warmKernels: warmKernelCount(options.warmKernels),
    });
    this.#timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.#maxOutputChars = positive(options.maxOutputChars, DEFAULT_MAX_OUTPUT_CHARS);
    this.#interruptGraceMs = positive(options.interruptGraceMs, DEFAULT_INTERRUPT_GRACE_MS);
    this.#maxVariableChars = options.maxVariableChars ?? DEFAULT_MAX_VARIABLE_CHARS;
    this.#keepImages = options.keepImages ?? options.imagesForModel ?? true;
    this.#maxToolResultBytes = positive(options.maxToolResultBytes, DEFAULT_MAX_TOOL_RESULT_BYTES);
    this.#maxRichOutputs = options.maxRichOutputs ?? DEFAULT_MAX_RICH_OUTPUTS;
    this.#maxRichOutputChars = options.maxRichOutputChars ?? DEFAULT_MAX_RICH_OUTPUT_CHARS;
    this.description = [
      "Your code runs in an IPython (Jupyter) kernel, Python 3. Call tools with keyword arguments; a failing tool raises an exception.",
      "Figures (plt.show(), display()) and HTML tables are shown to the user; you see a one-line note for each, and an image itself only if images are sent to you.",
      `Each code block may run for at most ${Math.round(this.#timeoutMs / 1000)} s; input() is not available.`,
      ...(options.sandboxed === true
        ? [
            "The kernel is sandboxed: it has no network (reach the outside only through the tools), it can write files only in /scratch (the working directory) and /tmp, and a process it starts ends with the code block that started it.",
          ]
        : []),
    ].join(" ");
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    if (this.#closing) throw new ExecutorClosedError(this.name);
    const previous = this.#queues.get(request.sessionId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.#run(request));
    this.#queues.set(request.sessionId, run);
    try {
      return await run;
    } finally {
      if (this.#queues.get(request.sessionId) === run) this.#queues.delete(request.sessionId);
    }
  }

  /**
   * Starts one kernel now, for the next session that needs a new kernel, so
   * its first cell does not wait for the kernel to start (most of a second).
   * Call it when a session is coming soon, e.g. before the model's first
   * reply. Unlike {@link JupyterExecutorOptions.warmKernels} it is not
   * replaced once taken. A kernel that fails to start is forgotten: the
   * session then starts its own and reports that one's error.
   */
  prestartKernel(): void {
    if (this.#closing) throw new ExecutorClosedError(this.name);
    this.#sessions.prestartKernel();
  }

  /** Drops the session here and leaves its kernel running (see {@link Executor.forgetSession}). */
  async forgetSession(sessionId: string): Promise<void> {
    await (this.#queues.get(sessionId) ?? Promise.resolve()).catch(() => undefined);
    this.#sessions.forget(sessionId);
  }

  close(): Promise<void> {
    this.#closing ??= this.#sessions.close();
    return this.#closing;
  }

  /** How long our own snapshot after a failed or stopped cell may take. */
  get #snapshotTimeoutMs(): number {
    return Math.max(this.#interruptGraceMs, 5_000);
  }

  async #run(request: ExecuteRequest): Promise<ExecuteResult> {
    const startedAt = performance.now();
    const aborted = (message: string): ExecuteResult => ({
      output: "",
      outputs: [],
      error: { name: "AbortError", message },
      durationMs: performance.now() - startedAt,
    });
    if (this.#closing) throw new ExecutorClosedError(this.name);
    if (request.signal?.aborted) return aborted("The run was aborted before it started.");
    const { session, change: startChange } = await this.#sessions.ensure(
      request.sessionId,
      request.variables,
      request.resumeToken,
      request.definitions,
      request.startOver === true
    );
    if (request.onResumeToken) request.onResumeToken(handOutToken(session));
    const tools = request.tools ?? {};
    await session.installTools(Object.keys(tools).filter((name) => PYTHON_IDENTIFIER.test(name)).sort(), SETUP_TIMEOUT_MS);
    if (request.signal?.aborted) {
      return {
        ...aborted("The run was aborted before the code started."),
        variables: session.variables,
        unsavedVariables: session.unsavedVariables,
        resumeToken: handOutToken(session),
        ...(startChange && { sessionChange: startChange }),
      };
    }

    const output = new CellOutput(
      {
        maxOutputChars: this.#maxOutputChars,
        maxRichOutputs: this.#maxRichOutputs,
        maxRichOutputChars: this.#maxRichOutputChars,
      },
      request.onOutput
    );
    const end = await this.#runCell(session, request, tools, output);
    const outcome = await this.#settle(session, end, output);
    session.lastUsedAt = Date.now();
    let change = combineSessionChanges(startChange, outcome.change);

    const snapshot = outcome.snapshot;
    if (snapshot) {
      session.variables = snapshot.variables;
      session.unsavedVariables = snapshot.unsaved;
      session.definitions = snapshot.definitions;
      for (const note of cellNotes(snapshot)) output.write(note);
    } else if (!outcome.change) {
      // The kernel answered but could not snapshot: keep the last good
      // snapshot (the result leaves `variables` out) and say what is at risk.
      change = withNote(
        change,
        "The variables could not be saved after this code ran; the last saved ones are kept, and anything defined since would be lost if the kernel restarted."
      );
    }
    const outputs = this.#keepImages ? output.outputs : output.outputs.filter((item) => !item.mimeType.startsWith("image/"));
    const result: ExecuteResult = {
      output: output.output,
      outputs,
      // Only a snapshot taken now, or the one a replacement kernel was restored from.
      ...((snapshot || outcome.change) && {
        variables: session.variables,
        unsavedVariables: session.unsavedVariables,
        ...(!noDefinitions(session.definitions) && { definitions: session.definitions }),
      }),
      resumeToken: handOutToken(session),
      durationMs: performance.now() - startedAt,
    };
    const dropped = output.outputs.length - outputs.length;
    if (dropped > 0) result.output += `\n[${dropped} image output(s) not shown]`;
    if (output.value !== undefined) result.value = output.value;
    if (outcome.error) result.error = outcome.error;
    if (change) result.sessionChange = change;
    if (output.truncated) result.truncated = true;
    return result;
  }

  /** Sends the user's cell and waits for its end, a timeout or an abort. */
  async #runCell(
    session: KernelSession,
    request: ExecuteRequest,
    tools: Record<string, HostFunction>,
    output: CellOutput
  ): Promise<CellEnd> {
    const connection = session.connection;
    let active = true;
    const channel = {
      connection,
      tools,
      output,
      maxToolResultBytes: this.#maxToolResultBytes,
      isActive: () => active,
    };
    // The server re-packs what it receives as strict UTF-8 and drops a message
    // carrying a lone surrogate, so code gets U+FFFD in its place.
    const pending = connection.execute(request.code.replace(LONE_SURROGATE, "\uFFFD"), {
      allowStdin: true,
      storeHistory: true,
      userExpressions: { snapshot: snapshotExpression(this.#maxVariableChars) },
      onIopub: (message) => output.handle(message),
      onStdin: (message) => {
        if (active) void answerInputRequest(channel, message);
      },
    });
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<"abort">((resolve) => {
      onAbort = () => resolve("abort");
      // The signal may have fired while the kernel was starting.
      if (request.signal?.aborted) onAbort();
      else request.signal?.addEventListener("abort", onAbort, { once: true });
    });
    const finished = pending.done.then(
      (reply): CellEnd => ({ kind: "done", reply }),
      (error: unknown): CellEnd => ({ kind: "failed", error })
    );
    try {
      const first = await withTimeout(Promise.race([finished, aborted]), this.#timeoutMs);
      if (first !== TIMED_OUT && first !== "abort") return first;
      const kind = first === TIMED_OUT ? "timeout" : "abort";
      // Interrupt, then give the cell a grace period to finish.
      await this.#client.interruptKernel(session.kernelId).catch(() => undefined);
      const graceEnd = await withTimeout(finished, this.#interruptGraceMs);
      if (graceEnd !== TIMED_OUT && graceEnd.kind === "failed") return graceEnd;
      if (graceEnd === TIMED_OUT) connection.forget(pending.header.msg_id);
      return { kind, kernelStopped: graceEnd !== TIMED_OUT };
    } finally {
      active = false;
      if (onAbort) request.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The error, snapshot and session change of a cell's end. */
  async #settle(session: KernelSession, end: CellEnd, output: CellOutput): Promise<Outcome> {
    if (end.kind === "failed") return this.#recover(session, end.error);
    if (end.kind !== "done") return this.#stopped(session, end.kind, end.kernelStopped, output);
    const reply = end.reply;
    if (reply.status === "ok") return { snapshot: parseSnapshot(reply) };
    const error = output.error ?? cappedError(reply.ename, reply.evalue, undefined, this.#maxOutputChars);
    try {
      // After an error IPython skips user_expressions: ask again.
      const snapshot = await session.snapshot(this.#maxVariableChars, this.#snapshotTimeoutMs);
      return { error, ...(snapshot && { snapshot }) };
    } catch (failure) {
      // A server shutting down interrupts its kernels (the cell ends with
      // KeyboardInterrupt), then kills them: the kernel is gone, not the code wrong.
      const recovered = await this.#recover(session, failure);
      return { ...recovered, error: { ...recovered.error, ...(error.traceback !== undefined && { traceback: error.traceback }) } };
    }
  }

  /** The error (and snapshot) of a cell stopped by a timeout or an abort. */
  async #stopped(session: KernelSession, kind: "timeout" | "abort", kernelStopped: boolean, output: CellOutput): Promise<Outcome> {
    const message =
      kind === "timeout"
        ? `The code ran longer than the ${this.#timeoutMs} ms limit and was interrupted.`
        : "The run was aborted and the code was interrupted.";
    const error: ExecutionError = {
      name: kind === "timeout" ? "TimeoutError" : "AbortError",
      message,
      ...(output.error?.traceback ? { traceback: output.error.traceback } : {}),
    };
    if (kernelStopped) {
      // The cell ended (normally with KeyboardInterrupt): the kernel is fine.
      const snapshot = await session.snapshot(this.#maxVariableChars, this.#snapshotTimeoutMs).catch(() => undefined);
      return { error, ...(snapshot && { snapshot }) };
    }
    const { change, event } = await this.#sessions.restart(session, "interrupt-ignored");
    if (event === "kernel-gone" && kind === "abort") {
      // Still an abort (callers rely on AbortError), saying what the kernel turned out to be.
      return { error: { ...error, message: `${message} The kernel no longer existed on the server, so a new one was started.` }, change };
    }
    if (event === "kernel-gone") {
      // The kernel was deleted on the server (by hand or by its idle culler): the code never got an answer.
      return {
        error: {
          name: "SessionCrashedError",
          message:
            "The Python kernel no longer exists on the server (it was shut down there, for example by an idle culler), " +
            "so the code got no answer. A new kernel was started.",
        },
        change,
      };
    }
    return { error: { ...error, message: `${message} The kernel was restarted.` }, change };
  }

  /** The kernel died or vanished under a running cell: replace it. */
  async #recover(session: KernelSession, failure: unknown): Promise<Outcome & { error: ExecutionError }> {
    if (this.#closing) throw new ExecutorClosedError(this.name);
    if (!isKernelLoss(failure)) {
      throw failure instanceof ExecutorError
        ? failure
        : new ExecutorProtocolError(`Kernel connection failed: ${String(failure)}`, { cause: failure });
    }
    const died = failure instanceof KernelDiedError;
    const change = await this.#sessions.replace(session, died ? "kernel-died" : "connection-lost");
    return {
      error: {
        name: "SessionCrashedError",
        message: died
          ? "The Python kernel died while running the code (for example os._exit(), a segmentation fault or running out of memory). A new kernel was started."
          : "The Python kernel was lost while running the code (its Jupyter server stopped or restarted, or the connection broke). A new kernel was started.",
      },
      change,
    };
  }
}

/** The session's resume token, for the caller: its kernel is now one a later process may come back to. */
function handOutToken(session: KernelSession): string {
  session.resumable = true;
  return formatResumeToken(session.kernelId);
}

/** Creates a {@link JupyterExecutor}. */
export function createJupyterExecutor(options: JupyterExecutorOptions): JupyterExecutor {
  return new JupyterExecutor(options);
}
