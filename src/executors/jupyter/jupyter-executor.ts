import {
  ExecutorClosedError,
  ExecutorError,
  ExecutorProtocolError,
  ExecutorUnavailableError,
} from "../errors.js";
import type {
  ExecuteRequest,
  ExecuteResult,
  ExecutionError,
  Executor,
  HostFunction,
  JsonValue,
} from "../types.js";
import { OutputBuffer } from "../../shared/clip.js";
import { CellOutput } from "./cell-output.js";
import type { KernelConnection } from "./kernel-connection.js";
import {
  ConnectionLostError,
  KernelDiedError,
  KernelGoneError,
  type KernelMessage,
  type MessageHeader,
} from "./kernel-protocol.js";
import { JupyterClient } from "./rest-client.js";
import {
  BOOTSTRAP_CODE,
  STATUS_EXPRESSION,
  installToolsCode,
  parseToolCall,
  restoreCode,
  snapshotExpression,
} from "./python-runtime.js";

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
/** Limit for our own silent requests (bootstrap, restore, snapshot), which include kernel start-up. */
const SETUP_TIMEOUT_MS = 60_000;
/**
 * jupyter_server 1.x answers 500 to a DELETE while it auto-restarts a dead
 * kernel; retry until the restart is over.
 */
const SHUTDOWN_RETRY_DELAYS_MS = [200, 400, 800, 1_600, 3_200] as const;
const PYTHON_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IMAGE_MIME_TYPE = /^image\//;
/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

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
   * Return images in `outputs`, for vision models. When false they are
   * dropped and a one-line note is written to `output` instead.
   * @defaultValue `true`
   */
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

interface Session {
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

type CellEnd =
  | { kind: "done"; reply: Record<string, unknown> }
  | { kind: "failed"; error: unknown }
  /** `kernelStopped`: the cell ended within the grace period after the interrupt. */
  | { kind: "timeout" | "abort"; kernelStopped: boolean };

interface Snapshot {
  variables: Record<string, JsonValue>;
  unsaved: string[];
}

/** The kernel died, vanished or cannot be reached over its WebSocket any more. */
function isKernelLoss(error: unknown): boolean {
  return (
    error instanceof KernelDiedError ||
    error instanceof KernelGoneError ||
    error instanceof ConnectionLostError
  );
}

/** Builds a tool's single input object from Python's positional and keyword arguments. */
export function toolInput(
  tool: HostFunction,
  args: readonly unknown[],
  kwargs: Record<string, unknown>
): unknown {
  if (args.length === 0) return kwargs;
  const parameters = tool.parameters;
  const only = args[0];
  const isPlainObject =
    typeof only === "object" && only !== null && !Array.isArray(only);
  // `search({"query": "x"})`: the input object itself, as in JavaScript.
  if (
    args.length === 1 &&
    Object.keys(kwargs).length === 0 &&
    isPlainObject &&
    (!parameters || Object.keys(only).every((key) => parameters.includes(key)))
  ) {
    return only;
  }
  if (!parameters) {
    throw new TypeError(
      "takes keyword arguments only (e.g. name(query=...)), or one dict with the input"
    );
  }
  if (args.length > parameters.length) {
    throw new TypeError(
      `takes at most ${parameters.length} positional argument(s) (${parameters.join(", ")}), got ${args.length}`
    );
  }
  const input: Record<string, unknown> = {};
  args.forEach((value, index) => {
    input[parameters[index] as string] = value;
  });
  for (const [key, value] of Object.entries(kwargs)) {
    if (key in input) throw new TypeError(`got multiple values for argument '${key}'`);
    input[key] = value;
  }
  return input;
}

function parseResumeToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  try {
    const parsed = JSON.parse(token) as { kernelId?: unknown };
    return typeof parsed.kernelId === "string" ? parsed.kernelId : undefined;
  } catch {
    return token;
  }
}

function describeNames(names: readonly string[]): string {
  return names.length === 0 ? "none" : names.join(", ");
}

function userExpressionJson(reply: Record<string, unknown>, key: string): unknown {
  const expressions = reply.user_expressions as Record<string, unknown> | undefined;
  const entry = expressions?.[key] as
    | { status?: string; data?: Record<string, unknown> }
    | undefined;
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

/**
 * Runs Python in Jupyter kernels: one kernel per session, on any server that
 * speaks the Jupyter Server REST + WebSocket kernel API.
 */
export class JupyterExecutor implements Executor {
  readonly name = "jupyter";
  readonly language = "python" as const;
  readonly description: string;

  readonly #client: JupyterClient;
  readonly #kernelName: string;
  readonly #timeoutMs: number;
  readonly #maxOutputChars: number;
  readonly #interruptGraceMs: number;
  readonly #maxVariableChars: number;
  readonly #imagesForModel: boolean;
  readonly #keepKernelsOnClose: boolean;
  readonly #maxToolResultBytes: number;
  readonly #sessions = new Map<string, Session>();
  /** Per-session queue: cells of one session run one after another. */
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Kernels being started, so close() can shut them down too. */
  readonly #starting = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(options: JupyterExecutorOptions) {
    this.#client = new JupyterClient(options);
    this.#kernelName = options.kernelName ?? DEFAULT_KERNEL_NAME;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#maxOutputChars = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
    this.#interruptGraceMs = options.interruptGraceMs ?? DEFAULT_INTERRUPT_GRACE_MS;
    this.#maxVariableChars = options.maxVariableChars ?? DEFAULT_MAX_VARIABLE_CHARS;
    this.#imagesForModel = options.imagesForModel ?? true;
    this.#keepKernelsOnClose = options.keepKernelsOnClose ?? false;
    this.#maxToolResultBytes = options.maxToolResultBytes ?? DEFAULT_MAX_TOOL_RESULT_BYTES;
    this.description = [
      "Your code runs in a persistent IPython (Jupyter) kernel, Python 3.",
      "Variables, imports and functions persist between code blocks.",
      "The value of the last expression is shown; print() anything else you need to see.",
      "Tools are ordinary synchronous Python functions: call them directly (no await), preferably with keyword arguments; a failing tool raises an exception.",
      "Figures (matplotlib plt.show(), display()) and HTML tables are returned to you as rich outputs.",
      `Each code block may run for at most ${Math.round(this.#timeoutMs / 1000)} s; input() is not available.`,
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

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#starting]);
      const sessions = [...this.#sessions.values()];
      this.#sessions.clear();
      await Promise.allSettled(
        sessions.map(async (session) => {
          session.connection.close();
          if (!this.#keepKernelsOnClose) await this.#shutdownKernel(session.kernelId);
        })
      );
    })();
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
    const notices: string[] = [];
    const session = await this.#ensureSession(request, notices);
    await this.#installTools(session, request.tools ?? {});
    session.tools = request.tools ?? {};
    if (request.signal?.aborted) {
      return {
        output: "",
        outputs: [],
        error: { name: "AbortError", message: "The run was aborted before the code started." },
        variables: session.variables,
        unsavedVariables: session.unsavedVariables,
        resumeToken: JSON.stringify({ kernelId: session.kernelId }),
        ...(notices.length > 0 ? { sessionNotice: notices.join(" ") } : {}),
        durationMs: performance.now() - startedAt,
      };
    }

    const end = await this.#runCell(session, request, output);
    let error: ExecutionError | undefined = output.error;
    let snapshot: Snapshot | undefined;

    if (end.kind === "done") {
      snapshot = this.#parseSnapshot(end.reply);
      if (end.reply.status !== "ok") {
        error ??= {
          name: String(end.reply.ename ?? "Error"),
          message: String(end.reply.evalue ?? ""),
        };
        try {
          snapshot = await this.#snapshotOrThrow(session);
        } catch (failure) {
          // A server shutting down interrupts its kernels (the cell ends with
          // KeyboardInterrupt), then kills them: the kernel is gone, not the code wrong.
          if (!isKernelLoss(failure)) throw failure;
          const crashed = await this.#recoverFromFailure(session, failure, notices);
          error = { ...crashed, ...(error.traceback !== undefined && { traceback: error.traceback }) };
        }
      }
    } else if (end.kind === "failed") {
      error = await this.#recoverFromFailure(session, end.error, notices);
    } else {
      const stopped = await this.#stop(session, end.kind, end.kernelStopped, output, notices);
      error = stopped.error;
      snapshot = stopped.snapshot;
    }

    if (snapshot) {
      session.variables = snapshot.variables;
      session.unsavedVariables = snapshot.unsaved;
    }
    const text = output.output;
    const truncated = output.truncated;
    const result: ExecuteResult = {
      output: text,
      outputs: this.#imagesForModel
        ? output.outputs
        : output.outputs.filter((item) => !IMAGE_MIME_TYPE.test(item.mimeType)),
      variables: session.variables,
      unsavedVariables: session.unsavedVariables,
      resumeToken: JSON.stringify({ kernelId: session.kernelId }),
      durationMs: performance.now() - startedAt,
    };
    if (!this.#imagesForModel) {
      const dropped = output.outputs.length - result.outputs.length;
      if (dropped > 0) result.output += `\n[${dropped} image output(s) not shown]`;
    }
    if (output.value !== undefined) {
      result.value = OutputBuffer.truncate(output.value, this.#maxOutputChars).text;
    }
    if (error) result.error = error;
    if (notices.length > 0) result.sessionNotice = notices.join(" ");
    if (truncated) result.truncated = true;
    return result;
  }

  /** Sends the user's cell and waits for its end, a timeout or an abort. */
  async #runCell(session: Session, request: ExecuteRequest, output: CellOutput): Promise<CellEnd> {
    const connection = session.connection;
    let active = true;
    // The server re-packs what it receives as strict UTF-8 and drops a message
    // carrying a lone surrogate, so code gets U+FFFD in its place.
    const pending = connection.execute(request.code.replace(LONE_SURROGATE, "\uFFFD"), {
      allowStdin: true,
      storeHistory: true,
      userExpressions: { snapshot: snapshotExpression(this.#maxVariableChars) },
      onIopub: (message) => output.handle(message),
      onStdin: (message) => {
        if (active) void this.#answerInput(session, connection, message, output, () => active);
      },
    });
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<"timeout" | "abort">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.#timeoutMs);
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
      const first = await Promise.race([finished, stopped]);
      if (typeof first !== "string") return first;
      // Interrupt, then give the cell a grace period to finish.
      await this.#client.interruptKernel(session.kernelId).catch(() => undefined);
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<null>((resolve) => {
        graceTimer = setTimeout(() => resolve(null), this.#interruptGraceMs);
      });
      const graceEnd = await Promise.race([finished, grace]);
      clearTimeout(graceTimer);
      if (graceEnd?.kind === "failed") return graceEnd;
      if (graceEnd === null) connection.forget(pending.header.msg_id);
      return { kind: first, kernelStopped: graceEnd !== null };
    } finally {
      active = false;
      clearTimeout(timer);
      if (onAbort) request.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** The error (and snapshot) of a cell stopped by a timeout or an abort. */
  async #stop(
    session: Session,
    kind: "timeout" | "abort",
    kernelStopped: boolean,
    output: CellOutput,
    notices: string[]
  ): Promise<{ error: ExecutionError; snapshot?: Snapshot }> {
    const interrupted = output.error;
    const message =
      kind === "timeout"
        ? `The code ran longer than the ${this.#timeoutMs} ms limit and was interrupted.`
        : "The run was aborted and the code was interrupted.";
    const error: ExecutionError = {
      name: kind === "timeout" ? "TimeoutError" : "AbortError",
      message,
      ...(interrupted?.traceback ? { traceback: interrupted.traceback } : {}),
    };
    if (kernelStopped) {
      // The cell ended (normally with KeyboardInterrupt): the kernel is fine.
      return { error, snapshot: await this.#snapshot(session) };
    }
    await this.#restartKernel(session);
    notices.push(
      `The kernel did not stop when interrupted, so it was restarted; variables restored: ${describeNames(Object.keys(session.variables))}.` +
        (session.unsavedVariables.length > 0
          ? ` Lost (define them again): ${describeNames(session.unsavedVariables)}.`
          : "")
    );
    return { error: { ...error, message: `${message} The kernel was restarted.` } };
  }

  async #answerInput(
    session: Session,
    connection: KernelConnection,
    message: KernelMessage,
    output: CellOutput,
    isActive: () => boolean
  ): Promise<void> {
    if (message.header.msg_type !== "input_request") return;
    const parent = message.parent_header as MessageHeader;
    const prompt = String(message.content.prompt ?? "");
    let call;
    try {
      call = parseToolCall(prompt);
    } catch {
      call = undefined;
    }
    if (!call) {
      output.write(`${prompt}\n[input() is not available here: it returned an empty string]\n`);
      connection.sendInputReply(parent, "");
      return;
    }
    let reply: string;
    try {
      const tool = session.tools[call.name];
      if (!tool) throw new Error(`no tool named ${call.name}`);
      const value = await tool(toolInput(tool, call.args, call.kwargs));
      reply = this.#toolReply(call.name, value);
    } catch (error) {
      reply = JSON.stringify({ error: error instanceof Error ? error.message : String(error) });
    }
    if (isActive()) connection.sendInputReply(parent, reply);
  }

  /**
   * A tool's result as the kernel's JSON reply, with JSON.stringify's
   * conversions (`undefined`, functions and NaN become None, `toJSON` is
   * used, Maps become {}); a result that cannot be JSON or is too big for one
   * kernel message is an error raised in the code.
   */
  #toolReply(name: string, value: unknown): string {
    let reply: string;
    try {
      reply = JSON.stringify({ ok: value === undefined ? null : value });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return JSON.stringify({ error: `The tool ${name} returned a value that is not JSON (${reason}).` });
    }
    // The reply travels as a string inside the message's JSON.
    const bytes = Buffer.byteLength(JSON.stringify(reply));
    if (bytes > this.#maxToolResultBytes) {
      return JSON.stringify({
        error:
          `The tool ${name} returned ${bytes} bytes of JSON, over the ${this.#maxToolResultBytes}-byte limit ` +
          "of one kernel message; ask it for less (a page, a summary, a file path).",
      });
    }
    return reply;
  }

  async #ensureSession(request: ExecuteRequest, notices: string[]): Promise<Session> {
    const existing = this.#sessions.get(request.sessionId);
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
      notices.push(
        `The previous Python kernel had died, so a new one was started; variables restored: ${describeNames(Object.keys(existing.variables))}.` +
          this.#lostNote(existing)
      );
      return existing;
    }

    const variables = request.variables ?? {};
    const resumeId = parseResumeToken(request.resumeToken);
    if (resumeId) {
      const model = await this.#client.getKernel(resumeId).catch((error: unknown) => {
        if (error instanceof ExecutorProtocolError) return null;
        throw error;
      });
      if (model && model.execution_state !== "dead") {
        const session = await this.#openSession(request.sessionId, resumeId, variables);
        if (session.fresh && Object.keys(variables).length > 0) {
          await this.#restore(session.session, variables);
          notices.push(
            `The Python kernel had been restarted, so its state was lost; variables restored: ${describeNames(Object.keys(variables))}.`
          );
        }
        return session.session;
      }
      notices.push(
        `The previous Python kernel no longer exists, so a new one was started; variables restored: ${describeNames(Object.keys(variables))}.`
      );
    } else if (Object.keys(variables).length > 0) {
      notices.push(
        `A new Python kernel was started for this session; variables restored: ${describeNames(Object.keys(variables))}.`
      );
    }
    const kernelId = await this.#startKernel();
    const { session } = await this.#openSession(request.sessionId, kernelId, variables);
    if (Object.keys(variables).length > 0) await this.#restore(session, variables);
    return session;
  }

  /** Connects to a kernel, bootstraps it and registers the session. */
  async #openSession(
    sessionId: string,
    kernelId: string,
    variables: Record<string, JsonValue>
  ): Promise<{ session: Session; fresh: boolean }> {
    const connection = await this.#client.connect(kernelId);
    const session: Session = {
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
      if (!this.#keepKernelsOnClose) await this.#client.shutdownKernel(kernelId).catch(() => undefined);
      throw new ExecutorClosedError(this.name);
    }
    const fresh = await this.#bootstrap(session);
    return { session, fresh };
  }

  #watch(session: Session): void {
    const connection = session.connection;
    connection.onKernelStatus(() => {
      if (session.connection === connection) session.crashed = true;
    });
  }

  async #startKernel(): Promise<string> {
    if (this.#closing) throw new ExecutorClosedError(this.name);
    const starting = this.#client.startKernel(this.#kernelName);
    this.#starting.add(starting);
    try {
      const model = await starting;
      if (this.#closing && !this.#keepKernelsOnClose) {
        await this.#client.shutdownKernel(model.id).catch(() => undefined);
        throw new ExecutorClosedError(this.name);
      }
      return model.id;
    } finally {
      this.#starting.delete(starting);
    }
  }

  /** Creates the `_codeact` module; true when the kernel did not have it yet. */
  async #bootstrap(session: Session): Promise<boolean> {
    const reply = await this.#silent(session, BOOTSTRAP_CODE, { status: STATUS_EXPRESSION });
    session.installedTools = undefined;
    const status = userExpressionJson(reply, "status") as { fresh?: boolean } | undefined;
    return status?.fresh ?? true;
  }

  async #installTools(session: Session, tools: Record<string, HostFunction>): Promise<void> {
    const names = Object.keys(tools)
      .filter((name) => PYTHON_IDENTIFIER.test(name))
      .sort();
    const key = names.join(",");
    if (session.installedTools === key) return;
    await this.#silent(session, installToolsCode(names));
    session.installedTools = key;
  }

  async #restore(session: Session, variables: Record<string, JsonValue>): Promise<void> {
    session.variables = variables;
    if (Object.keys(variables).length > 0) await this.#silent(session, restoreCode(variables));
  }

  async #snapshot(session: Session): Promise<Snapshot | undefined> {
    try {
      return await this.#snapshotOrThrow(session);
    } catch {
      return undefined;
    }
  }

  /** Returns undefined when the kernel answers something unreadable; throws when it cannot answer. */
  async #snapshotOrThrow(session: Session): Promise<Snapshot | undefined> {
    let reply: Record<string, unknown>;
    try {
      reply = await this.#silent(session, "", {
        snapshot: snapshotExpression(this.#maxVariableChars),
      });
    } catch (error) {
      if (isKernelLoss(error)) throw error;
      return undefined;
    }
    return this.#parseSnapshot(reply);
  }

  #parseSnapshot(reply: Record<string, unknown>): Snapshot | undefined {
    const data = userExpressionJson(reply, "snapshot") as
      | { variables?: Record<string, JsonValue>; unsaved?: string[] }
      | undefined;
    if (!data?.variables) return undefined;
    return { variables: data.variables, unsaved: data.unsaved ?? [] };
  }

  /** Runs our own code silently; its failure is an infrastructure failure. */
  async #silent(
    session: Session,
    code: string,
    userExpressions: Record<string, string> = {}
  ): Promise<Record<string, unknown>> {
    const pending = session.connection.execute(code, { silent: true, userExpressions });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ExecutorUnavailableError(
              `The kernel ${session.kernelId} on ${this.#client.baseUrl} did not answer within ${SETUP_TIMEOUT_MS} ms.`,
              { details: { url: this.#client.baseUrl, kernelId: session.kernelId } }
            )
          ),
        SETUP_TIMEOUT_MS
      );
    });
    try {
      const reply = await Promise.race([pending.done, timeout]);
      if (reply.status !== "ok") {
        throw new ExecutorProtocolError(
          `The executor's setup code failed in the kernel: ${String(reply.ename)}: ${String(reply.evalue)}`
        );
      }
      return reply;
    } finally {
      clearTimeout(timer);
      session.connection.forget(pending.header.msg_id);
    }
  }

  /** The kernel died or vanished under a running cell: replace it. */
  async #recoverFromFailure(
    session: Session,
    failure: unknown,
    notices: string[]
  ): Promise<ExecutionError> {
    if (this.#closing) throw new ExecutorClosedError(this.name);
    if (!isKernelLoss(failure)) {
      throw failure instanceof ExecutorError
        ? failure
        : new ExecutorProtocolError(`Kernel connection failed: ${String(failure)}`, {
            cause: failure,
          });
    }
    await this.#replaceKernel(session);
    notices.push(
      `The Python kernel died while running this code and was replaced by a new one; variables restored: ${describeNames(Object.keys(session.variables))}.` +
        this.#lostNote(session)
    );
    return {
      name: "SessionCrashedError",
      message:
        failure instanceof KernelDiedError
          ? "The Python kernel died while running the code (for example os._exit(), a segmentation fault or running out of memory). A new kernel was started."
          : "The Python kernel was lost while running the code (its Jupyter server stopped or restarted, or the connection broke). A new kernel was started.",
    };
  }

  #lostNote(session: Session): string {
    return session.unsavedVariables.length > 0
      ? ` Lost (define them again): ${describeNames(session.unsavedVariables)}.`
      : "";
  }

  /** Shuts the old kernel down and starts a new one with the last snapshot. */
  async #replaceKernel(session: Session): Promise<void> {
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
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
    await this.#client.shutdownKernel(kernelId);
  }

  /** Restarts the kernel in place (same id); falls back to a new kernel. */
  async #restartKernel(session: Session): Promise<void> {
    session.connection.close();
    try {
      await this.#client.restartKernel(session.kernelId);
      await this.#reattach(session, session.kernelId);
    } catch (error) {
      if (!(error instanceof KernelGoneError)) throw error;
      await this.#replaceKernel(session);
    }
  }

  async #reattach(session: Session, kernelId: string): Promise<void> {
    if (this.#closing) throw new ExecutorClosedError(this.name);
    session.kernelId = kernelId;
    session.connection = await this.#client.connect(kernelId);
    session.crashed = false;
    this.#watch(session);
    await this.#bootstrap(session);
    await this.#restore(session, session.variables);
  }
}

/** Creates a {@link JupyterExecutor}. */
export function createJupyterExecutor(options: JupyterExecutorOptions): JupyterExecutor {
  return new JupyterExecutor(options);
}
