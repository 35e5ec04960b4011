/**
 * The lifecycle of the Jupyter executor's sessions, one kernel each: start,
 * reuse by resume token, replace a dead or lost kernel, restart a wedged one,
 * restore the last snapshot into a new kernel — and say what happened as a
 * {@link SessionChange}.
 */
import { ExecutorClosedError, ExecutorError, ExecutorProtocolError } from "../errors.js";
import { combineSessionChanges, type SessionChange } from "../session-change.js";
import type { ExecuteRequest, ExecutionError, HostFunction, JsonValue } from "../types.js";
import { delay } from "../../shared/timeout.js";
import type { KernelConnection } from "./kernel-connection.js";
import { ConnectionLostError, KernelDiedError, KernelGoneError } from "./kernel-protocol.js";
import { BOOTSTRAP_CODE, STATUS_EXPRESSION, installToolsCode, restoreCode, snapshotExpression } from "./python-runtime.js";
import type { JupyterClient } from "./rest-client.js";
import { runSilently, snapshotOf, userExpressionJson, type Snapshot } from "./kernel-requests.js";
import { kernelIdOf } from "./resume-token.js";

/**
 * jupyter_server 1.x answers 500 to a DELETE while it auto-restarts a dead
 * kernel; retry until the restart is over.
 */
const SHUTDOWN_RETRY_DELAYS_MS = [200, 400, 800, 1_600, 3_200] as const;
const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One thread's session: a kernel and what the host knows of it. */
export interface KernelSession {
  readonly id: string;
  kernelId: string;
  connection: KernelConnection;
  /** Tool names currently defined in the kernel, sorted and joined. */
  installedTools: string | undefined;
  /** Host functions of the running cell. */
  tools: Record<string, HostFunction>;
  /** The latest snapshot; what a replacement kernel gets back. */
  variables: Record<string, JsonValue>;
  unsavedVariables: string[];
  /** The kernel died or was restarted behind our back. */
  crashed: boolean;
}

/** Accumulates what happened to a session during one cell. */
export interface ChangeLog {
  change?: SessionChange;
}

export interface KernelSessionsOptions {
  kernelName: string;
  maxVariableChars: number;
  keepKernelsOnClose: boolean;
}

/** The kernel died, vanished or cannot be reached over its WebSocket any more. */
export function isKernelLoss(error: unknown): boolean {
  return error instanceof KernelDiedError || error instanceof KernelGoneError || error instanceof ConnectionLostError;
}

export class KernelSessions {
  readonly #client: JupyterClient;
  readonly #options: KernelSessionsOptions;
  readonly #sessions = new Map<string, KernelSession>();
  /** Kernels being started, so close() can shut them down too. */
  readonly #starting = new Set<Promise<unknown>>();
  #closing = false;

  constructor(client: JupyterClient, options: KernelSessionsOptions) {
    this.#client = client;
    this.#options = options;
  }

  /** The request's session: the live one, else reattached by resume token, else a new kernel. */
  async ensure(request: ExecuteRequest, log: ChangeLog): Promise<KernelSession> {
    let existing = this.#sessions.get(request.sessionId);
    const resumeId = kernelIdOf(request.resumeToken);
    if (existing && resumeId !== undefined && resumeId !== existing.kernelId) {
      // The thread moved to another kernel elsewhere (another process replaced
      // it): this session is behind the thread, so follow the thread.
      this.forget(request.sessionId);
      existing = undefined;
    }
    if (existing && !existing.crashed) {
      try {
        await existing.connection.connect();
        return existing;
      } catch (error) {
        if (!(error instanceof KernelGoneError || error instanceof ConnectionLostError)) throw error;
        existing.crashed = true;
      }
    }
    if (existing) {
      await this.#replaceKernel(existing);
      note(log, existing, "the previous Python kernel had died, so a new one was started");
      return existing;
    }

    const variables = request.variables ?? {};
    const names = Object.keys(variables);
    if (resumeId) {
      const model = await this.#client.getKernel(resumeId).catch((error: unknown) => {
        if (error instanceof ExecutorProtocolError) return null;
        throw error;
      });
      if (model && model.execution_state !== "dead") {
        const { session, fresh } = await this.#open(request.sessionId, resumeId, variables);
        if (fresh && names.length > 0) {
          await this.restore(session, variables);
          log.change = combineSessionChanges(log.change, {
            cause: "the Python kernel had been restarted, so its state was lost",
            restored: names,
            lost: [],
          });
        }
        return session;
      }
      log.change = combineSessionChanges(log.change, {
        cause: "the previous Python kernel no longer exists, so a new one was started",
        restored: names,
        lost: [],
      });
    } else if (names.length > 0) {
      log.change = combineSessionChanges(log.change, { restored: names, lost: [] });
    }
    const kernelId = await this.#startKernel();
    const { session } = await this.#open(request.sessionId, kernelId, variables);
    if (names.length > 0) await this.restore(session, variables);
    return session;
  }

  /** Drops a session here; its kernel stays up (another process may use it). */
  forget(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (session === undefined) return;
    this.#sessions.delete(sessionId);
    session.connection.close();
  }

  async installTools(session: KernelSession, tools: Record<string, HostFunction>): Promise<void> {
    const names = Object.keys(tools)
      .filter((name) => PYTHON_IDENTIFIER.test(name))
      .sort();
    const key = names.join(",");
    if (session.installedTools === key) return;
    await this.#silent(session, installToolsCode(names));
    session.installedTools = key;
  }

  async restore(session: KernelSession, variables: Record<string, JsonValue>): Promise<void> {
    session.variables = variables;
    if (Object.keys(variables).length > 0) await this.#silent(session, restoreCode(variables));
  }

  /** The kernel's snapshot, or undefined when it cannot be taken. */
  async snapshot(session: KernelSession): Promise<Snapshot | undefined> {
    try {
      return await this.snapshotOrThrow(session);
    } catch {
      return undefined;
    }
  }

  /** Returns undefined when the kernel answers something unreadable; throws when it cannot answer. */
  async snapshotOrThrow(session: KernelSession): Promise<Snapshot | undefined> {
    let reply: Record<string, unknown>;
    try {
      reply = await this.#silent(session, "", { snapshot: snapshotExpression(this.#options.maxVariableChars) });
    } catch (error) {
      if (isKernelLoss(error)) throw error;
      return undefined;
    }
    return snapshotOf(reply);
  }

  interrupt(session: KernelSession): Promise<void> {
    return this.#client.interruptKernel(session.kernelId).catch(() => undefined);
  }

  /** The kernel died or vanished under a running cell: replace it, and say so. */
  async recoverFromFailure(session: KernelSession, failure: unknown, log: ChangeLog): Promise<ExecutionError> {
    if (this.#closing) throw new ExecutorClosedError("jupyter");
    if (!isKernelLoss(failure)) {
      throw failure instanceof ExecutorError
        ? failure
        : new ExecutorProtocolError(`Kernel connection failed: ${String(failure)}`, { cause: failure });
    }
    await this.#replaceKernel(session);
    note(log, session, "the Python kernel died while running this code and was replaced by a new one");
    return {
      name: "SessionCrashedError",
      message:
        failure instanceof KernelDiedError
          ? "The Python kernel died while running the code (for example os._exit(), a segmentation fault or running out of memory). A new kernel was started."
          : "The Python kernel was lost while running the code (its Jupyter server stopped or restarted, or the connection broke). A new kernel was started.",
    };
  }

  /** Restarts a kernel that did not stop when interrupted (same id; a new one if it is gone). */
  async restartWedged(session: KernelSession, log: ChangeLog): Promise<void> {
    session.connection.close();
    try {
      await this.#client.restartKernel(session.kernelId);
      await this.#reattach(session, session.kernelId);
    } catch (error) {
      if (!(error instanceof KernelGoneError)) throw error;
      await this.#replaceKernel(session);
    }
    note(log, session, "the kernel did not stop when interrupted, so it was restarted");
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#starting]);
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(
      sessions.map(async (session) => {
        session.connection.close();
        if (!this.#options.keepKernelsOnClose) await this.#shutdownKernel(session.kernelId);
      })
    );
  }

  /** Connects to a kernel, bootstraps it and registers the session. */
  async #open(
    sessionId: string,
    kernelId: string,
    variables: Record<string, JsonValue>
  ): Promise<{ session: KernelSession; fresh: boolean }> {
    const connection = await this.#client.connect(kernelId);
    const session: KernelSession = {
      id: sessionId,
      kernelId,
      connection,
      installedTools: undefined,
      tools: {},
      variables,
      unsavedVariables: [],
      crashed: false,
    };
    this.#watch(session);
    this.#sessions.set(sessionId, session);
    if (this.#closing) {
      // close() ran meanwhile and did not see this session.
      this.#sessions.delete(sessionId);
      connection.close();
      if (!this.#options.keepKernelsOnClose) await this.#client.shutdownKernel(kernelId).catch(() => undefined);
      throw new ExecutorClosedError("jupyter");
    }
    const fresh = await this.#bootstrap(session);
    return { session, fresh };
  }

  #watch(session: KernelSession): void {
    const connection = session.connection;
    connection.onKernelStatus(() => {
      if (session.connection === connection) session.crashed = true;
    });
  }

  async #startKernel(): Promise<string> {
    if (this.#closing) throw new ExecutorClosedError("jupyter");
    const starting = this.#client.startKernel(this.#options.kernelName);
    this.#starting.add(starting);
    try {
      const model = await starting;
      if (this.#closing && !this.#options.keepKernelsOnClose) {
        await this.#client.shutdownKernel(model.id).catch(() => undefined);
        throw new ExecutorClosedError("jupyter");
      }
      return model.id;
    } finally {
      this.#starting.delete(starting);
    }
  }

  /** Creates the `_codeact` module; true when the kernel did not have it yet. */
  async #bootstrap(session: KernelSession): Promise<boolean> {
    const reply = await this.#silent(session, BOOTSTRAP_CODE, { status: STATUS_EXPRESSION });
    session.installedTools = undefined;
    const status = userExpressionJson(reply, "status") as { fresh?: boolean } | undefined;
    return status?.fresh ?? true;
  }

  #silent(session: KernelSession, code: string, userExpressions: Record<string, string> = {}) {
    return runSilently(session.connection, { baseUrl: this.#client.baseUrl, kernelId: session.kernelId }, code, userExpressions);
  }

  /** Shuts the old kernel down and starts a new one with the last snapshot. */
  async #replaceKernel(session: KernelSession): Promise<void> {
    session.connection.close();
    await this.#shutdownKernel(session.kernelId).catch(() => undefined);
    const kernelId = await this.#startKernel();
    await this.#reattach(session, kernelId);
  }

  async #shutdownKernel(kernelId: string): Promise<void> {
    for (const delayMs of SHUTDOWN_RETRY_DELAYS_MS) {
      try {
        await this.#client.shutdownKernel(kernelId);
        return;
      } catch (error) {
        if (!(error instanceof ExecutorProtocolError)) throw error;
        await delay(delayMs);
      }
    }
    await this.#client.shutdownKernel(kernelId);
  }

  async #reattach(session: KernelSession, kernelId: string): Promise<void> {
    if (this.#closing) throw new ExecutorClosedError("jupyter");
    session.kernelId = kernelId;
    session.connection = await this.#client.connect(kernelId);
    session.crashed = false;
    this.#watch(session);
    await this.#bootstrap(session);
    await this.restore(session, session.variables);
  }
}

/** Records that `session` lives in a new kernel now, for `cause`. */
function note(log: ChangeLog, session: KernelSession, cause: string): void {
  log.change = combineSessionChanges(log.change, {
    cause,
    restored: Object.keys(session.variables),
    lost: [...session.unsavedVariables],
  });
}
