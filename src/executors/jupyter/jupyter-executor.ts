/**
 * The Jupyter executor: Python in Jupyter kernels, one kernel per session, on
 * any server that speaks the Jupyter Server REST + WebSocket kernel API. This
 * file holds the executor's contract side (options, the per-session queue,
 * the result of a cell); kernel-sessions.ts the kernels' lifecycle,
 * cell-run.ts one cell, tool-channel.ts tool calls from Python.
 */
import { ExecutorClosedError } from "../errors.js";
import type { ExecuteRequest, ExecuteResult, ExecutionError, Executor } from "../types.js";
import { clip } from "../../shared/clip.js";
import { isBase64Image } from "../../shared/mime.js";
import { CellOutput } from "./cell-output.js";
import { runCell, type CellLimits } from "./cell-run.js";
import { isKernelLoss, KernelSessions, type ChangeLog, type KernelSession } from "./kernel-sessions.js";
import { snapshotOf, type Snapshot } from "./kernel-requests.js";
import { resumeTokenFor } from "./resume-token.js";
import { JupyterClient } from "./rest-client.js";

export const DEFAULT_KERNEL_NAME = "python3";
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_OUTPUT_CHARS = 20_000;
export const DEFAULT_INTERRUPT_GRACE_MS = 3_000;
export const DEFAULT_MAX_VARIABLE_CHARS = 100_000;
/**
 * Tornado, under Jupyter Server and the gateways, closes a WebSocket on a
 * message over 10 MiB (`websocket_max_message_size`); a tool reply that big
 * would be lost and the cell would wait for it until its timeout.
 */
export const DEFAULT_MAX_TOOL_RESULT_BYTES = 8 * 1024 * 1024;

export interface JupyterExecutorOptions {
  /** HTTP(S) URL of a Jupyter Server, Kernel Gateway or Enterprise Gateway. */
  baseUrl: string;
  /** WebSocket URL of the same server; derived from `baseUrl` by default. */
  wsUrl?: string;
  /** Server token, sent as `Authorization: token <token>`. */
  token?: string;
  /** Kernel spec to start. @defaultValue `"python3"` */
  kernelName?: string;
  /** Wall-clock limit of one cell, tool calls included. @defaultValue `60_000` */
  timeoutMs?: number;
  /** Cap on `output` (head and tail kept, with a marker). @defaultValue `20_000` */
  maxOutputChars?: number;
  /**
   * How long an interrupted cell may take to stop before the kernel is
   * restarted and its variables restored. @defaultValue `3_000`
   */
  interruptGraceMs?: number;
  /** Variables whose JSON is longer are not snapshotted. @defaultValue `100_000` */
  maxVariableChars?: number;
  /**
   * Keep displayed images in `outputs` (the graph's
   * `includeImagesInObservation` decides whether a model sees them). When
   * false they are dropped and a one-line note is written to `output`.
   * @defaultValue `true`
   */
  keepImages?: boolean;
  /** @deprecated Renamed {@link keepImages}; read when `keepImages` is not set. */
  imagesForModel?: boolean;
  /**
   * Leave kernels running on `close()`, so another process can resume them
   * with the `resumeToken`. @defaultValue `false`
   */
  keepKernelsOnClose?: boolean;
  /** Limit of one REST call to the server. @defaultValue `30_000` */
  requestTimeoutMs?: number;
  /**
   * A tool result whose JSON is longer fails in the code with a clear error
   * (the WebSocket would drop it). Raise it only for a server configured with
   * a larger `websocket_max_message_size`. @defaultValue `8 * 1024 * 1024`
   */
  maxToolResultBytes?: number;
}

/**
 * Runs Python in Jupyter kernels: one kernel per session, on any server that
 * speaks the Jupyter Server REST + WebSocket kernel API.
 */
export class JupyterExecutor implements Executor {
  readonly name = "jupyter";
  readonly language = "python" as const;
  readonly description: string;

  readonly #sessions: KernelSessions;
  readonly #limits: CellLimits;
  readonly #maxOutputChars: number;
  readonly #keepImages: boolean;
  /** Per-session queue: cells of one session run one after another. */
  readonly #queues = new Map<string, Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(options: JupyterExecutorOptions) {
    const client = new JupyterClient(options);
    this.#limits = {
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      interruptGraceMs: options.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS,
      maxVariableChars: options.maxVariableChars ?? DEFAULT_MAX_VARIABLE_CHARS,
      maxToolResultBytes: options.maxToolResultBytes ?? DEFAULT_MAX_TOOL_RESULT_BYTES,
    };
    this.#sessions = new KernelSessions(client, {
      kernelName: options.kernelName ?? DEFAULT_KERNEL_NAME,
      maxVariableChars: this.#limits.maxVariableChars,
      keepKernelsOnClose: options.keepKernelsOnClose ?? false,
    });
    this.#maxOutputChars = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
    this.#keepImages = options.keepImages ?? options.imagesForModel ?? true;
    this.description = [
      "Your code runs in an IPython (Jupyter) kernel, Python 3. Call tools with keyword arguments; a failing tool raises an exception.",
      "Figures (plt.show(), display()) and HTML tables are shown to the user; you see a one-line note for each, and an image itself only if images are sent to you.",
      `Each code block may run for at most ${Math.round(this.#limits.timeoutMs / 1000)} s; input() is not available.`,
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

  /** Drops the session here and leaves its kernel running (see {@link Executor.forgetSession}). */
  async forgetSession(sessionId: string): Promise<void> {
    await (this.#queues.get(sessionId) ?? Promise.resolve()).catch(() => undefined);
    this.#sessions.forget(sessionId);
  }

  close(): Promise<void> {
    this.#closing ??= this.#sessions.close();
    return this.#closing;
  }

  async #run(request: ExecuteRequest): Promise<ExecuteResult> {
    const startedAt = performance.now();
    const output = new CellOutput(this.#maxOutputChars, request.onOutput);
    if (this.#closing) throw new ExecutorClosedError(this.name);
    if (request.signal?.aborted) {
      return {
        output: "",
        outputs: [],
        error: { name: "AbortError", message: "The run was aborted before it started." },
        durationMs: performance.now() - startedAt,
      };
    }
    const log: ChangeLog = {};
    const session = await this.#sessions.ensure(request, log);
    await this.#sessions.installTools(session, request.tools ?? {});
    session.tools = request.tools ?? {};
    if (request.signal?.aborted) {
      return {
        ...this.#sessionParts(session, log),
        output: "",
        outputs: [],
        error: { name: "AbortError", message: "The run was aborted before the code started." },
        durationMs: performance.now() - startedAt,
      };
    }

    const end = await runCell(this.#sessions, session, request, output, this.#limits);
    let error: ExecutionError | undefined = output.error;
    let snapshot: Snapshot | undefined;
    if (end.kind === "done") {
      snapshot = snapshotOf(end.reply);
      if (end.reply.status !== "ok") {
        error ??= { name: String(end.reply.ename ?? "Error"), message: String(end.reply.evalue ?? "") };
        try {
          snapshot = await this.#sessions.snapshotOrThrow(session);
        } catch (failure) {
          // A server shutting down interrupts its kernels (the cell ends with
          // KeyboardInterrupt), then kills them: the kernel is gone, not the code wrong.
          if (!isKernelLoss(failure)) throw failure;
          const crashed = await this.#sessions.recoverFromFailure(session, failure, log);
          error = { ...crashed, ...(error.traceback !== undefined && { traceback: error.traceback }) };
        }
      }
    } else if (end.kind === "failed") {
      error = await this.#sessions.recoverFromFailure(session, end.error, log);
    } else {
      const stopped = await this.#stopped(session, end.kind, end.kernelStopped, output, log);
      error = stopped.error;
      snapshot = stopped.snapshot;
    }
    if (snapshot) {
      session.variables = snapshot.variables;
      session.unsavedVariables = snapshot.unsaved;
    }

    const outputs = this.#keepImages ? output.outputs : output.outputs.filter((item) => !isImage(item.mimeType));
    const result: ExecuteResult = {
      ...this.#sessionParts(session, log),
      output: output.output,
      outputs,
      durationMs: performance.now() - startedAt,
    };
    const dropped = output.outputs.length - outputs.length;
    if (dropped > 0) result.output += `\n[${dropped} image output(s) not shown]`;
    if (output.value !== undefined) result.value = clip(output.value, this.#maxOutputChars);
    if (error) result.error = error;
    if (output.truncated) result.truncated = true;
    return result;
  }

  #sessionParts(session: KernelSession, log: ChangeLog) {
    return {
      variables: session.variables,
      unsavedVariables: session.unsavedVariables,
      resumeToken: resumeTokenFor(session.kernelId),
      ...(log.change !== undefined && { sessionChange: log.change }),
    };
  }

  /** The error (and snapshot) of a cell stopped by a timeout or an abort. */
  async #stopped(
    session: KernelSession,
    kind: "timeout" | "abort",
    kernelStopped: boolean,
    output: CellOutput,
    log: ChangeLog
  ): Promise<{ error: ExecutionError; snapshot?: Snapshot }> {
    const interrupted = output.error;
    const message =
      kind === "timeout"
        ? `The code ran longer than the ${this.#limits.timeoutMs} ms limit and was interrupted.`
        : "The run was aborted and the code was interrupted.";
    const error: ExecutionError = {
      name: kind === "timeout" ? "TimeoutError" : "AbortError",
      message,
      ...(interrupted?.traceback ? { traceback: interrupted.traceback } : {}),
    };
    // The cell ended (normally with KeyboardInterrupt): the kernel is fine.
    if (kernelStopped) return { error, snapshot: await this.#sessions.snapshot(session) };
    await this.#sessions.restartWedged(session, log);
    return { error: { ...error, message: `${message} The kernel was restarted.` } };
  }
}

/** Images are what `keepImages: false` drops (SVG included: it is drawn, not read). */
function isImage(mimeType: string): boolean {
  return isBase64Image(mimeType) || mimeType === "image/svg+xml";
}

/** Creates a {@link JupyterExecutor}. */
export function createJupyterExecutor(options: JupyterExecutorOptions): JupyterExecutor {
  return new JupyterExecutor(options);
}
