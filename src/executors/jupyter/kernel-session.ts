/**
 * One session's kernel as the executor sees it: the connection, the tools
 * installed in it, and the last variable snapshot (what a replacement kernel
 * gets back). Runs the executor's own silent code: bootstrap, tool stubs,
 * restore, snapshot.
 */
import { ExecutorProtocolError, ExecutorUnavailableError } from "../errors.js";
import type { JsonValue, SessionDefinitions } from "../types.js";
import { noDefinitions, parseDefinitions } from "../session-definitions.js";
import { TIMED_OUT, withTimeout } from "../../shared/timeout.js";
import type { KernelConnection } from "./kernel-connection.js";
import { isKernelLoss } from "./kernel-protocol.js";
import {
  BOOTSTRAP_CODE,
  STATUS_EXPRESSION,
  installToolsCode,
  restoreExpression,
  snapshotExpression,
} from "./python-runtime.js";

/** What a restore brought back: variables that failed, definitions replayed, and those lost (with why). */
export interface RestoreReport {
  failed: string[];
  replayed: string[];
  lost: Array<{ name: string; reason: string }>;
}

/** The variables the kernel could save, and the names it could not. */
export interface Snapshot {
  variables: Record<string, JsonValue>;
  unsaved: string[];
  /** Imports, functions and classes in effect, and the class instances among the variables. */
  definitions: SessionDefinitions;
  /** Output written by threads of earlier cells that the kernel dropped, in characters. */
  lateChars: number;
  /** Threads and child processes a cell left running. */
  running: { threads: number; processes: number[]; stopped?: number };
}

/** The value of one user expression of an execute_reply, as JSON. */
export function userExpressionJson(reply: Record<string, unknown>, key: string): unknown {
  const expressions = reply.user_expressions as Record<string, unknown> | undefined;
  const entry = expressions?.[key] as { status?: string; data?: Record<string, unknown> } | undefined;
  if (entry?.status !== "ok" || !entry.data) return undefined;
  const json = entry.data["application/json"];
  if (json !== undefined) return json;
  const plain = entry.data["text/plain"];
  try {
    return typeof plain === "string" ? JSON.parse(plain) : undefined;
  } catch {
    return undefined;
  }
}

/** The snapshot carried by a reply's `snapshot` user expression, if it could be read. */
export function parseSnapshot(reply: Record<string, unknown>): Snapshot | undefined {
  const data = userExpressionJson(reply, "snapshot") as
    | {
        variables?: Record<string, JsonValue>;
        unsaved?: string[];
        definitions?: unknown;
        late?: number;
        running?: { threads?: number; processes?: number[]; stopped?: number };
      }
    | undefined;
  if (!data?.variables || typeof data.variables !== "object") return undefined;
  return {
    variables: data.variables,
    unsaved: Array.isArray(data.unsaved) ? data.unsaved.map(String) : [],
    definitions: parseDefinitions(data.definitions),
    lateChars: typeof data.late === "number" ? data.late : 0,
    running: {
      threads: typeof data.running?.threads === "number" ? data.running.threads : 0,
      processes: Array.isArray(data.running?.processes) ? data.running.processes.filter(Number.isInteger) : [],
      stopped: typeof data.running?.stopped === "number" ? data.running.stopped : 0,
    },
  };
}

export class KernelSession {
  readonly id: string;
  readonly #serverUrl: string;
  kernelId: string;
  connection: KernelConnection;
  /** Tool names currently defined in the kernel, sorted and joined. */
  installedTools: string | undefined;
  /** The latest snapshot; what a replacement kernel gets back. */
  variables: Record<string, JsonValue>;
  unsavedVariables: string[] = [];
  /** The latest definitions; replayed into a replacement kernel after the variables. */
  definitions: SessionDefinitions = { code: [] };
  /** The kernel died or was restarted behind our back. */
  crashed = false;
  /** When the session's last cell ended (or it was opened): after a while idle, the kernel is checked before use. */
  lastUsedAt = Date.now();
  /**
   * The caller has this kernel's id (in a resume token), so a later process
   * can come back to it: only such a kernel is kept by `keepKernelsOnClose`.
   */
  resumable = false;

  constructor(
    id: string,
    serverUrl: string,
    kernelId: string,
    connection: KernelConnection,
    variables: Record<string, JsonValue>
  ) {
    this.id = id;
    this.#serverUrl = serverUrl;
    this.kernelId = kernelId;
    this.connection = connection;
    this.variables = variables;
    this.#watch();
  }

  /** Moves the session to another kernel (or a new connection to the same one). */
  attach(kernelId: string, connection: KernelConnection): void {
    // A new kernel's id has not reached the caller yet; the same kernel (restarted, reconnected) keeps its standing.
    if (kernelId !== this.kernelId) this.resumable = false;
    this.kernelId = kernelId;
    this.connection = connection;
    this.crashed = false;
    this.installedTools = undefined;
    this.#watch();
  }

  /** Creates the `_codeact` module; true when the kernel did not have it yet. */
  async bootstrap(timeoutMs: number): Promise<boolean> {
    const reply = await this.silent(BOOTSTRAP_CODE, { status: STATUS_EXPRESSION }, timeoutMs);
    this.installedTools = undefined;
    const status = userExpressionJson(reply, "status") as { fresh?: boolean } | undefined;
    return status?.fresh ?? true;
  }

  async installTools(names: readonly string[], timeoutMs: number): Promise<void> {
    const key = names.join(",");
    if (this.installedTools === key) return;
    await this.silent(installToolsCode(names), {}, timeoutMs);
    this.installedTools = key;
  }

  /**
   * Puts `variables` into the kernel's globals and replays `definitions`;
   * returns the variable names the kernel could not take back (a value
   * nested too deep for Python's JSON parser), the definitions replayed, and
   * those lost with the reason.
   */
  async restore(
    variables: Record<string, JsonValue>,
    timeoutMs: number,
    definitions: SessionDefinitions = { code: [] }
  ): Promise<RestoreReport> {
    this.variables = variables;
    if (Object.keys(variables).length === 0 && noDefinitions(definitions)) return { failed: [], replayed: [], lost: [] };
    const reply = await this.silent("", { restore: restoreExpression(variables, definitions) }, timeoutMs);
    const report = userExpressionJson(reply, "restore") as { failed?: unknown; replayed?: unknown; lost?: unknown } | undefined;
    // No report at all: the expression itself failed, so nothing was restored.
    if (!report || !Array.isArray(report.failed)) {
      return { failed: Object.keys(variables), replayed: [], lost: definitions.code.map((definition) => ({ name: definition.name, reason: "" })) };
    }
    const replayed = Array.isArray(report.replayed) ? report.replayed.map(String) : [];
    const lost = Array.isArray(report.lost)
      ? report.lost.flatMap((entry: unknown) => (Array.isArray(entry) ? [{ name: String(entry[0]), reason: String(entry[1] ?? "") }] : []))
      : [];
    return { failed: report.failed.map(String), replayed, lost };
  }

  /**
   * The kernel's current snapshot; undefined when it answered something
   * unreadable or not in time. Throws only when the kernel is lost.
   */
  async snapshot(maxVariableChars: number, timeoutMs: number): Promise<Snapshot | undefined> {
    try {
      return parseSnapshot(await this.silent("", { snapshot: snapshotExpression(maxVariableChars) }, timeoutMs));
    } catch (error) {
      if (isKernelLoss(error)) throw error;
      return undefined;
    }
  }

  /** Runs the executor's own code silently; its failure is an infrastructure failure. */
  async silent(code: string, userExpressions: Record<string, string>, timeoutMs: number): Promise<Record<string, unknown>> {
    const pending = this.connection.execute(code, { silent: true, userExpressions });
    try {
      const reply = await withTimeout(pending.done, timeoutMs);
      if (reply === TIMED_OUT) {
        throw new ExecutorUnavailableError(
          `The kernel ${this.kernelId} on ${this.#serverUrl} did not answer within ${timeoutMs} ms.`,
          { details: { url: this.#serverUrl, kernelId: this.kernelId } }
        );
      }
      if (reply.status !== "ok") {
        throw new ExecutorProtocolError(
          `The executor's setup code failed in the kernel: ${String(reply.ename).slice(0, 200)}: ${String(reply.evalue).slice(0, 1_000)}`
        );
      }
      return reply;
    } finally {
      this.connection.forget(pending.header.msg_id);
    }
  }

  #watch(): void {
    const connection = this.connection;
    connection.onKernelStatus(() => {
      if (this.connection === connection) this.crashed = true;
    });
  }
}
