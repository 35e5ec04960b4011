/**
 * The kernel behind each session: started on first use, reused through a
 * resume token, replaced when it dies, restarted when it will not stop, and
 * restored from the last snapshot each time. Everything that happened is
 * reported as a `SessionChange`.
 */
import { ExecutorClosedError, ExecutorProtocolError } from "../errors.js";
import type { SessionChange } from "../session-change.js";
import type { JsonValue, SessionDefinitions } from "../types.js";
import { definitionLossNotes, noDefinitions, parseDefinitions, restoredDefinitions } from "../session-definitions.js";
import { delay } from "../../shared/timeout.js";
import { KernelConnection } from "./kernel-connection.js";
import { ConnectionLostError, KernelGoneError } from "./kernel-protocol.js";
import { KernelSession, type RestoreReport } from "./kernel-session.js";
import type { JupyterClient } from "./rest-client.js";
import { parseResumeToken } from "./resume-token.js";
import { causedChange, restoredChange, type KernelEvent } from "./session-changes.js";

/** Limit for our own silent requests (bootstrap, restore), which include kernel start-up. */
export const SETUP_TIMEOUT_MS = 60_000;
/** jupyter_server 1.x answers 500 to a DELETE while it auto-restarts a dead kernel: retry. */
const SHUTDOWN_RETRY_DELAYS_MS = [200, 400, 800, 1_600, 3_200] as const;
/** A name the snapshot could have produced: the snapshot skips `_`-prefixed names. */
const RESTORABLE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export interface SessionLifecycleOptions {
  kernelName: string;
  keepKernelsOnClose: boolean;
  executorName: string;
}

/** Variables a request asks to restore, split into those that can be and the rest. */
function restorable(variables: Record<string, JsonValue>): { accepted: Record<string, JsonValue>; rejected: string[] } {
  const accepted: Record<string, JsonValue> = {};
  const rejected: string[] = [];
  for (const name of Object.keys(variables)) {
    const value = variables[name] as JsonValue;
    let encodable = false;
    try {
      encodable = JSON.stringify(value) !== undefined;
    } catch {
      // Nested too deep for the host's JSON (RangeError), or a cycle.
    }
    if (RESTORABLE_NAME.test(name) && encodable) {
      Object.defineProperty(accepted, name, { value, enumerable: true, writable: true, configurable: true });
    } else {
      rejected.push(name);
    }
  }
  return { accepted, rejected };
}

/** A restore report with the names rejected before the restore counted as failed. */
function withRejected(report: RestoreReport, rejected: readonly string[]): RestoreReport {
  return { ...report, failed: [...rejected, ...report.failed] };
}

/** Said with every loss of unsaved names in a new kernel: what can travel and what cannot. */
const CANNOT_TRAVEL_NOTE =
  "Imports, top-level functions and classes and plain data travel to a new kernel; closures, generators, open " +
  "files and connections, threads, and objects with slots or non-JSON attributes do not.";

function rejectedNote(names: readonly string[]): string[] {
  return names.length === 0
    ? []
    : ["Some saved names were not restored because they are not plain Python variable names or their value could not be read back; define them again if you need them."];
}

export class SessionLifecycle {
  readonly #client: JupyterClient;
  readonly #options: SessionLifecycleOptions;
  readonly #sessions = new Map<string, KernelSession>();
  /** Kernels being started, so close() can shut them down too. */
  readonly #starting = new Set<Promise<unknown>>();
  #closed = false;

  constructor(client: JupyterClient, options: SessionLifecycleOptions) {
    this.#client = client;
    this.#options = options;
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
      await Promise.all([...stale].map((id) => this.shutdownKernel(id).catch(() => undefined)));
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
        return { session: existing };
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
        const { session, fresh } = await this.#open(sessionId, resumeId, accepted);
        if (!fresh) {
          session.definitions = definitions;
          return { session };
        }
        if (Object.keys(accepted).length === 0 && rejected.length === 0 && noDefinitions(definitions)) return { session };
        const report = await session.restore(accepted, SETUP_TIMEOUT_MS, definitions);
        return { session, change: this.#restoredChange(session, "kernel-restarted", accepted, withRejected(report, rejected), definitions) };
      }
      event = "kernel-gone";
    }
    const kernelId = await this.#startKernel();
    const { session } = await this.#open(sessionId, kernelId, accepted);
    const report = await session.restore(accepted, SETUP_TIMEOUT_MS, definitions);
    return { session, change: this.#restoredChange(session, event, accepted, withRejected(report, rejected), definitions) };
  }

  /** Shuts the old kernel down and starts a new one with the last snapshot. */
  async replace(session: KernelSession, event: KernelEvent): Promise<SessionChange> {
    session.connection.close();
    await this.shutdownKernel(session.kernelId).catch(() => undefined);
    const kernelId = await this.#startKernel();
    return this.#reattach(session, kernelId, event);
  }

  /** Restarts the kernel in place (same id); falls back to a new kernel. */
  async restart(session: KernelSession, event: KernelEvent): Promise<SessionChange> {
    session.connection.close();
    try {
      await this.#client.restartKernel(session.kernelId);
      return await this.#reattach(session, session.kernelId, event);
    } catch (error) {
      if (!(error instanceof KernelGoneError)) throw error;
      return this.replace(session, event);
    }
  }

  /** Closes every connection; shuts every kernel down unless they are kept. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#starting]);
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.allSettled(
      sessions.map(async (session) => {
        session.connection.close();
        if (!this.#options.keepKernelsOnClose) await this.shutdownKernel(session.kernelId);
      })
    );
  }

  async shutdownKernel(kernelId: string): Promise<void> {
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

  /** Keeps only what the kernel took back, and says what happened. */
  #restoredChange(
    session: KernelSession,
    event: KernelEvent | undefined,
    accepted: Record<string, JsonValue>,
    report: RestoreReport,
    definitions: SessionDefinitions,
    lostBefore: readonly string[] = []
  ): SessionChange | undefined {
    const failedNames = new Set(report.failed);
    const restoredVariables = Object.keys(accepted).filter((name) => !failedNames.has(name));
    const lostDefinitions = new Set(report.lost.map((entry) => entry.name));
    if (failedNames.size > 0 || lostDefinitions.size > 0) {
      const kept: Record<string, JsonValue> = {};
      for (const name of restoredVariables) if (!lostDefinitions.has(name)) kept[name] = accepted[name] as JsonValue;
      session.variables = kept;
    }
    session.definitions = restoredDefinitions(definitions, report.replayed, (name) => Object.hasOwn(session.variables, name));
    const restored = [...restoredVariables.filter((name) => !lostDefinitions.has(name)), ...report.replayed];
    const lost = new Set([...failedNames, ...lostDefinitions, ...lostBefore]);
    const notes = [
      ...rejectedNote([...failedNames]),
      ...definitionLossNotes(report.lost),
      ...(lostBefore.length > 0 ? [CANNOT_TRAVEL_NOTE] : []),
    ];
    return event === undefined ? restoredChange(restored, lost, notes) : causedChange(event, restored, lost, notes);
  }

  async #connection(kernelId: string): Promise<KernelConnection> {
    const connection = new KernelConnection((jupyterSession) => this.#client.openSocket(kernelId, jupyterSession));
    await connection.connect();
    return connection;
  }

  /** Connects to a kernel, bootstraps it and registers the session. */
  async #open(
    sessionId: string,
    kernelId: string,
    variables: Record<string, JsonValue>
  ): Promise<{ session: KernelSession; fresh: boolean }> {
    const connection = await this.#connection(kernelId);
    const session = new KernelSession(sessionId, this.#client.baseUrl, kernelId, connection, variables);
    this.#sessions.set(sessionId, session);
    if (this.#closed) {
      // close() ran meanwhile and did not see this session.
      this.#sessions.delete(sessionId);
      connection.close();
      if (!this.#options.keepKernelsOnClose) await this.#client.shutdownKernel(kernelId).catch(() => undefined);
      throw new ExecutorClosedError(this.#options.executorName);
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
      if (this.#closed && !this.#options.keepKernelsOnClose) {
        await this.#client.shutdownKernel(model.id).catch(() => undefined);
        throw new ExecutorClosedError(this.#options.executorName);
      }
      return model.id;
    } finally {
      this.#starting.delete(starting);
    }
  }

  async #reattach(session: KernelSession, kernelId: string, event: KernelEvent): Promise<SessionChange> {
    if (this.#closed) throw new ExecutorClosedError(this.#options.executorName);
    let report: RestoreReport;
    const variables = session.variables;
    const definitions = session.definitions;
    try {
      session.attach(kernelId, await this.#connection(kernelId));
      await session.bootstrap(SETUP_TIMEOUT_MS);
      report = await session.restore(variables, SETUP_TIMEOUT_MS, definitions);
    } catch (error) {
      // Never let the next cell run in a kernel that was not restored: the
      // next request replaces it again and says so.
      session.crashed = true;
      throw error;
    }
    return this.#restoredChange(session, event, variables, report, definitions, session.unsavedVariables) ?? causedChange(event, []);
  }
}
