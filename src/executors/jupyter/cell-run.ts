/**
 * One cell in a session's kernel, from sending it to what its end did to the
 * session: done, failed, stopped by the time limit or an abort (interrupted,
 * then the kernel restarted if it will not stop), or lost with its kernel
 * (replaced). The result is the cell's error, the snapshot taken after it and
 * the session change, for the executor to turn into an `ExecuteResult`.
 */
import { ExecutorClosedError, ExecutorError, ExecutorProtocolError } from "../errors.js";
import type { SessionChange } from "../session-change.js";
import type { ExecuteRequest, ExecutionError, HostFunction } from "../types.js";
import { TIMED_OUT, withTimeout } from "../../shared/timeout.js";
import { cappedError, type CellOutput } from "./cell-output.js";
import { KernelDiedError, isKernelLoss } from "./kernel-protocol.js";
import { parseSnapshot, type KernelSession, type Snapshot } from "./kernel-session.js";
import type { JupyterClient } from "./rest-client.js";
import type { SessionLifecycle } from "./session-lifecycle.js";
import { snapshotExpression } from "./python-runtime.js";
import { answerInputRequest } from "./tool-channel.js";

/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

type CellEnd =
  | { kind: "done"; reply: Record<string, unknown> }
  | { kind: "failed"; error: unknown }
  /** `kernelStopped`: the cell ended within the grace period after the interrupt. */
  | { kind: "timeout" | "abort"; kernelStopped: boolean };

/** What the cell's end did to the session. */
export interface CellOutcome {
  error?: ExecutionError;
  snapshot?: Snapshot;
  change?: SessionChange;
}

export interface CellLimits {
  timeoutMs: number;
  interruptGraceMs: number;
  maxVariableChars: number;
  maxOutputChars: number;
  maxToolResultBytes: number;
}

export class CellRunner {
  readonly #client: JupyterClient;
  readonly #sessions: SessionLifecycle;
  readonly #limits: CellLimits;
  readonly #executorName: string;
  readonly #isClosing: () => boolean;

  constructor(client: JupyterClient, sessions: SessionLifecycle, limits: CellLimits, executorName: string, isClosing: () => boolean) {
    this.#client = client;
    this.#sessions = sessions;
    this.#limits = limits;
    this.#executorName = executorName;
    this.#isClosing = isClosing;
  }

  /** Runs the request's code in the session's kernel; its output goes to `output`. */
  async run(session: KernelSession, request: ExecuteRequest, tools: Record<string, HostFunction>, output: CellOutput): Promise<CellOutcome> {
    return this.#settle(session, await this.#send(session, request, tools, output), output);
  }

  /** How long our own snapshot after a failed or stopped cell may take. */
  get #snapshotTimeoutMs(): number {
    return Math.max(this.#limits.interruptGraceMs, 5_000);
  }

  /** Sends the user's cell and waits for its end, a timeout or an abort. */
  async #send(
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
      maxToolResultBytes: this.#limits.maxToolResultBytes,
      isActive: () => active,
    };
    // The server re-packs what it receives as strict UTF-8 and drops a message
    // carrying a lone surrogate, so code gets U+FFFD in its place.
    const pending = connection.execute(request.code.replace(LONE_SURROGATE, "\uFFFD"), {
      allowStdin: true,
      storeHistory: true,
      userExpressions: { snapshot: snapshotExpression(this.#limits.maxVariableChars) },
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
      const first = await withTimeout(Promise.race([finished, aborted]), this.#limits.timeoutMs);
      if (first !== TIMED_OUT && first !== "abort") return first;
      const kind = first === TIMED_OUT ? "timeout" : "abort";
      // Interrupt, then give the cell a grace period to finish.
      await this.#client.interruptKernel(session.kernelId).catch(() => undefined);
      const graceEnd = await withTimeout(finished, this.#limits.interruptGraceMs);
      if (graceEnd !== TIMED_OUT && graceEnd.kind === "failed") return graceEnd;
      if (graceEnd === TIMED_OUT) connection.forget(pending.header.msg_id);
      return { kind, kernelStopped: graceEnd !== TIMED_OUT };
    } finally {
      active = false;
      if (onAbort) request.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The error, snapshot and session change of a cell's end. */
  async #settle(session: KernelSession, end: CellEnd, output: CellOutput): Promise<CellOutcome> {
    if (end.kind === "failed") return this.#recover(session, end.error);
    if (end.kind !== "done") return this.#stopped(session, end.kind, end.kernelStopped, output);
    const reply = end.reply;
    if (reply.status === "ok") return { snapshot: parseSnapshot(reply) };
    const error = output.error ?? cappedError(reply.ename, reply.evalue, undefined, this.#limits.maxOutputChars);
    try {
      // After an error IPython skips user_expressions: ask again.
      const snapshot = await session.snapshot(this.#limits.maxVariableChars, this.#snapshotTimeoutMs);
      return { error, ...(snapshot && { snapshot }) };
    } catch (failure) {
      // A server shutting down interrupts its kernels (the cell ends with
      // KeyboardInterrupt), then kills them: the kernel is gone, not the code wrong.
      const recovered = await this.#recover(session, failure);
      return { ...recovered, error: { ...recovered.error, ...(error.traceback !== undefined && { traceback: error.traceback }) } };
    }
  }

  /** The error (and snapshot) of a cell stopped by a timeout or an abort. */
  async #stopped(session: KernelSession, kind: "timeout" | "abort", kernelStopped: boolean, output: CellOutput): Promise<CellOutcome> {
    const message =
      kind === "timeout"
        ? `The code ran longer than the ${this.#limits.timeoutMs} ms limit and was interrupted.`
        : "The run was aborted and the code was interrupted.";
    const error: ExecutionError = {
      name: kind === "timeout" ? "TimeoutError" : "AbortError",
      message,
      ...(output.error?.traceback ? { traceback: output.error.traceback } : {}),
    };
    if (kernelStopped) {
      // The cell ended (normally with KeyboardInterrupt): the kernel is fine.
      const snapshot = await session.snapshot(this.#limits.maxVariableChars, this.#snapshotTimeoutMs).catch(() => undefined);
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
  async #recover(session: KernelSession, failure: unknown): Promise<CellOutcome & { error: ExecutionError }> {
    if (this.#isClosing()) throw new ExecutorClosedError(this.#executorName);
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
