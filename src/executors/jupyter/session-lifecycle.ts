/**
 * The kernel behind each session: started on first use, reused through a
 * resume token, replaced when it dies, restarted when it will not stop, and
 * restored from the last snapshot each time. Everything that happened is
 * reported as a `SessionChange`.
 */
import { ExecutorClosedError, ExecutorProtocolError } from "../errors.js";
import type { SessionChange } from "../session-change.js";
import type { JsonValue, SessionDefinitions } from "../types.js";
import { noDefinitions, parseDefinitions } from "../session-definitions.js";
import { KernelConnection } from "./kernel-connection.js";
import { KernelPool } from "./kernel-pool.js";
import { ConnectionLostError, KernelGoneError } from "./kernel-protocol.js";
import { KernelSession, type RestoreReport } from "./kernel-session.js";
import type { JupyterClient } from "./rest-client.js";
import { parseResumeToken } from "./resume-token.js";
import { restorable, restoredSessionChange, withRejected } from "./restore-request.js";
import { causedChange, type KernelEvent } from "./session-changes.js";

/** Limit for our own silent requests (bootstrap, restore), which include kernel start-up. */
export const SETUP_TIMEOUT_MS = 60_000;
/**
 * A session idle this long has its kernel checked before the next cell: a
 * kernel deleted or culled meanwhile leaves its socket open and silent, and a
 * cell sent to it would wait for its whole time limit.
 */
export const KERNEL_CHECK_AFTER_IDLE_MS = 5_000;

export interface SessionLifecycleOptions {
  kernelName: string;
  keepKernelsOnClose: boolean;
  executorName: string;
  /** Kernels kept started ahead of new sessions (and of replacements). */
  warmKernels: number;
}

export class SessionLifecycle {
  readonly #client: JupyterClient;
  readonly #options: SessionLifecycleOptions;
  readonly #sessions = new Map<string, KernelSession>();
  /** Kernels being started, so close() can shut them down too. */
  readonly #starting = new Set<Promise<unknown>>();
  readonly #pool: KernelPool;
  #closed = false;

  constructor(client: JupyterClient, options: SessionLifecycleOptions) {
    this.#client = client;
    this.#options = options;
    this.#pool = new KernelPool(client, {
      kernelName: options.kernelName,
      executorName: options.executorName,
      size: options.warmKernels,
      readyTimeoutMs: SETUP_TIMEOUT_MS,
      connect: (kernelId) => this.#connection(kernelId),
    });
  }

  /** Starts one kernel now for the next session that needs a new one. */
  prestartKernel(): void {
    this.#pool.prestart();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Drops a session here; its kernel stays up (another process may use it). */
  forget(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (session === undefined) return;
    this.#sessions.delete(sessionId);
    session.connection.close();
  }

  /** The session's kernel, ready for a cell, and what changed on the way. */
  async ensure(
    sessionId: string,
    requestVariables: Record<string, JsonValue> | undefined,
    resumeToken: string | undefined,
    requestDefinitions?: SessionDefinitions,
    startOver = false
  ): Promise<{ session: KernelSession; change?: SessionChange }> {
    let existing = this.#sessions.get(sessionId);
    let resumeId = parseResumeToken(resumeToken);
    if (startOver) {
      // The kernel holds what an unfinished run did (it may still wait in it): a new one starts from the snapshot.
      const stale = new Set([existing?.kernelId, resumeId].filter((id): id is string => id !== undefined));
      if (existing) this.forget(sessionId);
      existing = undefined;
      resumeId = undefined;
      await Promise.all([...stale].map((id) => this.#client.shutdownKernelRetrying(id).catch(() => undefined)));
    }
    if (existing && resumeId !== undefined && resumeId !== existing.kernelId) {
      // The thread moved to another kernel elsewhere (another process replaced
      // it): this session is behind the thread, so follow the thread.
      this.forget(sessionId);
      existing = undefined;
    }
    if (existing && !existing.crashed) {
      try {
        await existing.connection.connect();
        const gone = Date.now() - existing.lastUsedAt >= KERNEL_CHECK_AFTER_IDLE_MS ? await this.#gone(existing.kernelId) : undefined;
        if (gone === undefined) return { session: existing };
        return { session: existing, change: await this.replace(existing, gone) };
      } catch (error) {
        if (!(error instanceof KernelGoneError || error instanceof ConnectionLostError)) throw error;
        existing.crashed = true;
      }
    }
    if (existing) {
      return { session: existing, change: await this.replace(existing, "kernel-died-between-cells") };
    }

    const { accepted, rejected } = restorable(requestVariables ?? {});
    const definitions = parseDefinitions(requestDefinitions);
    let event: KernelEvent | undefined;
    if (resumeId) {
      const model = await this.#client.getKernel(resumeId).catch((error: unknown) => {
        if (error instanceof ExecutorProtocolError) return null;
        throw error;
      });
      if (model && model.execution_state !== "dead") {
        const { session, fresh } = await this.#open(sessionId, resumeId, accepted, { newKernel: false });
        if (!fresh) {
          session.definitions = definitions;
          return { session };
        }
        if (Object.keys(accepted).length === 0 && rejected.length === 0 && noDefinitions(definitions)) return { session };
        const report = await session.restore(accepted, SETUP_TIMEOUT_MS, definitions);
        return { session, change: restoredSessionChange(session, "kernel-restarted", accepted, withRejected(report, rejected), definitions) };
      }
      event = "kernel-gone";
    }
    const { session } = await this.#onNewKernel((kernelId, warmConnection) =>
      this.#open(sessionId, kernelId, accepted, { newKernel: true, ...(warmConnection && { warmConnection }) })
    );
    const report = await session.restore(accepted, SETUP_TIMEOUT_MS, definitions);
    return { session, change: restoredSessionChange(session, event, accepted, withRejected(report, rejected), definitions) };
  }

  /** Shuts the old kernel down and starts a new one with the last snapshot. */
  async replace(session: KernelSession, event: KernelEvent): Promise<SessionChange> {
    session.connection.close();
    await this.#client.shutdownKernelRetrying(session.kernelId).catch(() => undefined);
    return this.#onNewKernel((kernelId, connection) => this.#reattach(session, kernelId, event, connection));
  }

  /**
   * Restarts the kernel in place (same id); falls back to a new kernel when
   * the server no longer has it. Returns the change and the event it reports:
   * `event`, or `"kernel-gone"` after the fallback.
   */
  async restart(session: KernelSession, event: KernelEvent): Promise<{ change: SessionChange; event: KernelEvent }> {
    session.connection.close();
    try {
      await this.#client.restartKernel(session.kernelId);
      return { change: await this.#reattach(session, session.kernelId, event), event };
    } catch (error) {
      if (!(error instanceof KernelGoneError)) throw error;
      // Whatever went wrong in the cell, the kernel itself is gone: say that.
      return { change: await this.replace(session, "kernel-gone"), event: "kernel-gone" };
    }
  }

  /** Closes every connection; shuts every kernel down unless they are kept. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#starting, this.#pool.close()]);
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(
      sessions.map(async (session) => {
        session.connection.close();
        if (!this.#kept(session)) await this.#client.shutdownKernelRetrying(session.kernelId);
      })
    );
  }

  /** Why the kernel can no longer run cells, or undefined when it can. */
  async #gone(kernelId: string): Promise<KernelEvent | undefined> {
    // A check that fails (a proxy's 502, a slow server) says nothing: run the cell as before.
    const model = await this.#client.getKernel(kernelId).catch(() => undefined);
    if (model === undefined) return undefined;
    if (model === null) return "kernel-gone";
    return model.execution_state === "dead" ? "kernel-died-between-cells" : undefined;
  }

  async #connection(kernelId: string): Promise<KernelConnection> {
    const connection = new KernelConnection((jupyterSession) => this.#client.openSocket(kernelId, jupyterSession));
    await connection.connect();
    return connection;
  }

  /**
   * Runs `use` on a warm kernel when one is ready, else on a kernel started
   * now. A warm kernel that fails (it died while it waited, or the server
   * culled it) is shut down and a new one started: only that one's failure
   * reaches the caller.
   */
  async #onNewKernel<T>(use: (kernelId: string, warmConnection?: KernelConnection) => Promise<T>): Promise<T> {
    const warm = await this.#pool.take();
    if (warm) {
      try {
        return await use(warm.kernelId, warm.connection);
      } catch (error) {
        const closed = error instanceof ExecutorClosedError;
        // Replaced below, or closed before a session held it: nothing keeps this kernel.
        if (!closed || !this.#holds(warm.kernelId)) await this.#pool.discard(warm);
        if (closed) throw error;
      }
    }
    const kernelId = await this.#startKernel();
    try {
      return await use(kernelId);
    } catch (error) {
      // Failed before a session held it (its socket never opened, or close() came): nothing else will shut it down.
      if (!this.#holds(kernelId)) await this.#client.shutdownKernel(kernelId).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Whether close() leaves this session's kernel running: only with
   * keepKernelsOnClose, and only a kernel whose id reached the caller (a
   * kernel nobody can name again would be leaked).
   */
  #kept(session: KernelSession): boolean {
    return this.#options.keepKernelsOnClose && session.resumable;
  }

  /**
   * The end of a session open or re-attach that close() overtook (close() did
   * not see it, or saw it on its old kernel): its kernel is shut down here
   * unless it is kept.
   */
  async #closedMeanwhile(session: KernelSession): Promise<ExecutorClosedError> {
    session.connection.close();
    if (!this.#kept(session)) await this.#client.shutdownKernel(session.kernelId).catch(() => undefined);
    return new ExecutorClosedError(this.#options.executorName);
  }

  /** Does a session run on this kernel? */
  #holds(kernelId: string): boolean {
    for (const session of this.#sessions.values()) if (session.kernelId === kernelId) return true;
    return false;
  }

  /** Connects to a kernel (or takes the warm kernel's connection), bootstraps it and registers the session. */
  async #open(
    sessionId: string,
    kernelId: string,
    variables: Record<string, JsonValue>,
    { newKernel, warmConnection }: { newKernel: boolean; warmConnection?: KernelConnection }
  ): Promise<{ session: KernelSession; fresh: boolean }> {
    const connection = warmConnection ?? (await this.#connection(kernelId));
    // A warm connection may have lost its socket while it waited: reopen it (a no-op when open).
    if (warmConnection) await warmConnection.connect();
    const session = new KernelSession(sessionId, this.#client.baseUrl, kernelId, connection, variables);
    // A kernel the caller brought (its resume token) stays the caller's, whatever happens next.
    session.resumable = !newKernel;
    this.#sessions.set(sessionId, session);
    if (this.#closed) {
      this.#sessions.delete(sessionId);
      throw await this.#closedMeanwhile(session);
    }
    try {
      return { session, fresh: await session.bootstrap(SETUP_TIMEOUT_MS) };
    } catch (error) {
      session.crashed = true;
      throw error;
    }
  }

  async #startKernel(): Promise<string> {
    if (this.#closed) throw new ExecutorClosedError(this.#options.executorName);
    const starting = this.#client.startKernel(this.#options.kernelName);
    this.#starting.add(starting);
    try {
      const model = await starting;
      if (this.#closed) {
        // Started for a session that will not run: nothing to keep, even with keepKernelsOnClose.
        await this.#client.shutdownKernel(model.id).catch(() => undefined);
        throw new ExecutorClosedError(this.#options.executorName);
      }
      return model.id;
    } finally {
      this.#starting.delete(starting);
    }
  }

  async #reattach(
    session: KernelSession,
    kernelId: string,
    event: KernelEvent,
    warmConnection?: KernelConnection
  ): Promise<SessionChange> {
    if (this.#closed) throw new ExecutorClosedError(this.#options.executorName);
    let report: RestoreReport;
    const variables = session.variables;
    const definitions = session.definitions;
    try {
      session.attach(kernelId, warmConnection ?? (await this.#connection(kernelId)));
      await session.bootstrap(SETUP_TIMEOUT_MS);
      report = await session.restore(variables, SETUP_TIMEOUT_MS, definitions);
    } catch (error) {
      // Never let the next cell run in a kernel that was not restored: the
      // next request replaces it again and says so.
      session.crashed = true;
      throw this.#closed ? await this.#closedMeanwhile(session) : error;
    }
    // close() may have run meanwhile and seen the session still on its old kernel.
    if (this.#closed) throw await this.#closedMeanwhile(session);
    return restoredSessionChange(session, event, variables, report, definitions, session.unsavedVariables) ?? causedChange(event, []);
  }
}
