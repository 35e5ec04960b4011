/**
 * A thin client for the Jupyter Server kernel API: REST for the kernel
 * lifecycle and the WebSocket channels endpoint for messages. Only the
 * endpoints shared by Jupyter Server, Kernel Gateway and Enterprise Gateway
 * are used.
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import {
  ExecutorProtocolError,
  ExecutorUnauthorizedError,
  ExecutorUnavailableError,
} from "../errors.js";

/** Message protocol version we speak (ipykernel 6 answers 5.3). */
const PROTOCOL_VERSION = "5.3";
/** Waits between WebSocket reconnection attempts while a cell is running. */
const RECONNECT_DELAYS_MS = [50, 250, 1_000, 2_000] as const;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * After a reconnect, how long the server gets to replay what it buffered
 * before we resend requests the kernel never acknowledged (lost in flight).
 */
const RESEND_AFTER_RECONNECT_MS = 500;
const KERNEL_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** A kernel as `GET /api/kernels/{id}` describes it. */
export interface KernelModel {
  id: string;
  name: string;
  execution_state?: string;
  last_activity?: string;
  connections?: number;
}

/** The header of a Jupyter message. */
export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

export type ChannelName = "shell" | "iopub" | "stdin" | "control";

/** A Jupyter message as carried by the JSON WebSocket protocol. */
export interface KernelMessage {
  channel: ChannelName;
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers?: unknown[];
}

export interface JupyterClientOptions {
  /** HTTP(S) URL of the server, e.g. `http://127.0.0.1:8888/` (a path prefix is kept). */
  baseUrl: string;
  /** WebSocket URL of the server; derived from `baseUrl` when omitted. */
  wsUrl?: string;
  /** Sent as `Authorization: token <token>`. */
  token?: string;
  /** Limit for one REST call. @defaultValue `30_000` */
  requestTimeoutMs?: number;
}

function withTrailingSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

/** The kernel id must be safe to put into a URL path. */
export function assertKernelId(kernelId: string): void {
  if (!KERNEL_ID_PATTERN.test(kernelId)) {
    throw new ExecutorProtocolError(`Invalid kernel id ${JSON.stringify(kernelId)}.`);
  }
}

/** REST calls of the kernel lifecycle, and WebSocket connections to kernels. */
export class JupyterClient {
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly #token: string | undefined;
  readonly #requestTimeoutMs: number;

  constructor(options: JupyterClientOptions) {
    this.baseUrl = withTrailingSlash(options.baseUrl);
    this.wsUrl = withTrailingSlash(
      options.wsUrl ?? this.baseUrl.replace(/^http(s?):/i, "ws$1:")
    );
    this.#token = options.token;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  /** Headers for REST and WebSocket requests. */
  get headers(): Record<string, string> {
    return this.#token ? { Authorization: `token ${this.#token}` } : {};
  }

  async startKernel(kernelName: string): Promise<KernelModel> {
    const response = await this.#request("POST", "api/kernels", { name: kernelName });
    if (response.status !== 201 && response.status !== 200) {
      throw await this.#unexpected(response, `start a "${kernelName}" kernel`);
    }
    return (await response.json()) as KernelModel;
  }

  /** The kernel, or null when the server does not know it (any more). */
  async getKernel(kernelId: string): Promise<KernelModel | null> {
    assertKernelId(kernelId);
    const response = await this.#request("GET", `api/kernels/${kernelId}`);
    if (response.status === 404) return null;
    if (!response.ok) throw await this.#unexpected(response, "get the kernel");
    return (await response.json()) as KernelModel;
  }

  async listKernels(): Promise<KernelModel[]> {
    const response = await this.#request("GET", "api/kernels");
    if (!response.ok) throw await this.#unexpected(response, "list kernels");
    return (await response.json()) as KernelModel[];
  }

  async interruptKernel(kernelId: string): Promise<void> {
    await this.#action(kernelId, "interrupt");
  }

  async restartKernel(kernelId: string): Promise<void> {
    await this.#action(kernelId, "restart");
  }

  /** Shuts the kernel down; a kernel that is already gone is not an error. */
  async shutdownKernel(kernelId: string): Promise<void> {
    assertKernelId(kernelId);
    const response = await this.#request("DELETE", `api/kernels/${kernelId}`);
    if (!response.ok && response.status !== 404) {
      throw await this.#unexpected(response, "shut the kernel down");
    }
    await response.body?.cancel();
  }

  /** Opens the channels WebSocket of a kernel (one Jupyter session). */
  async connect(kernelId: string, sessionId: string = randomUUID()): Promise<KernelConnection> {
    const connection = new KernelConnection(this, kernelId, sessionId);
    await connection.connect();
    return connection;
  }

  /** @internal Opens one raw WebSocket to a kernel's channels. */
  openSocket(kernelId: string, sessionId: string): Promise<WebSocket> {
    assertKernelId(kernelId);
    const url = new URL(`api/kernels/${kernelId}/channels`, this.wsUrl);
    url.searchParams.set("session_id", sessionId);
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: this.headers, perMessageDeflate: false });
      const fail = (error: Error): void => {
        socket.removeAllListeners();
        socket.on("error", () => undefined);
        socket.terminate();
        reject(error);
      };
      socket.once("open", () => {
        socket.removeAllListeners("error");
        socket.removeAllListeners("unexpected-response");
        resolve(socket);
      });
      socket.once("unexpected-response", (_request, response) => {
        const status = response.statusCode ?? 0;
        response.resume();
        if (status === 401 || status === 403) {
          fail(this.#unauthorized(status));
        } else if (status === 404) {
          fail(new KernelGoneError(kernelId));
        } else {
          fail(
            new ExecutorProtocolError(
              `The Jupyter server at ${this.baseUrl} refused the kernel WebSocket (HTTP ${status}).`,
              { details: { url: this.baseUrl, status } }
            )
          );
        }
      });
      socket.once("error", (error) => fail(this.#unreachable(error)));
    });
  }

  async #action(kernelId: string, action: "interrupt" | "restart"): Promise<void> {
    assertKernelId(kernelId);
    const response = await this.#request("POST", `api/kernels/${kernelId}/${action}`);
    if (response.status === 404) throw new KernelGoneError(kernelId);
    if (!response.ok) throw await this.#unexpected(response, `${action} the kernel`);
    await response.body?.cancel();
  }

  async #request(method: string, path: string, body?: unknown): Promise<Response> {
    const url = new URL(path, this.baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          ...this.headers,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#requestTimeoutMs),
      });
    } catch (error) {
      throw this.#unreachable(error);
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw this.#unauthorized(response.status);
    }
    return response;
  }

  #unreachable(error: unknown): ExecutorUnavailableError {
    const cause = error instanceof Error ? (error.cause ?? error) : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ExecutorUnavailableError(
      `Cannot reach the Jupyter server at ${this.baseUrl}: ${reason}`,
      { cause: error, details: { url: this.baseUrl } }
    );
  }

  #unauthorized(status: number): ExecutorUnauthorizedError {
    return new ExecutorUnauthorizedError(
      `The Jupyter server at ${this.baseUrl} refused our credentials (HTTP ${status}); check the token.`,
      { details: { url: this.baseUrl, status } }
    );
  }

  async #unexpected(response: Response, what: string): Promise<ExecutorProtocolError> {
    const text = await response.text().catch(() => "");
    return new ExecutorProtocolError(
      `The Jupyter server at ${this.baseUrl} could not ${what} (HTTP ${response.status}): ${text.slice(0, 500)}`,
      { details: { url: this.baseUrl, status: response.status } }
    );
  }
}

/** The kernel no longer exists on the server. */
export class KernelGoneError extends Error {
  constructor(readonly kernelId: string) {
    super(`Kernel ${kernelId} no longer exists.`);
    this.name = "KernelGoneError";
  }
}

/** The kernel died (or was restarted by the server) while a request waited. */
export class KernelDiedError extends Error {
  constructor(readonly executionState: string) {
    super(`The kernel reported execution_state "${executionState}".`);
    this.name = "KernelDiedError";
  }
}

/** The WebSocket dropped and could not be re-opened. */
export class ConnectionLostError extends Error {
  constructor(cause: unknown) {
    super("The kernel WebSocket connection was lost.", { cause });
    this.name = "ConnectionLostError";
  }
}

export interface ExecuteOptions {
  silent?: boolean;
  storeHistory?: boolean;
  allowStdin?: boolean;
  stopOnError?: boolean;
  userExpressions?: Record<string, string>;
  /** Every iopub message whose parent is this request, in order. */
  onIopub?: (message: KernelMessage) => void;
  /** Every stdin message (input_request) whose parent is this request. */
  onStdin?: (message: KernelMessage) => void;
}

/** An execute_request in flight. */
export interface PendingExecution {
  /** The request's header: the parent of its replies, and of our input_reply. */
  header: MessageHeader;
  /** Resolves with the execute_reply content once the reply and `idle` both arrived. */
  done: Promise<Record<string, unknown>>;
}

interface PendingEntry {
  options: ExecuteOptions;
  /** The request as sent, for a resend after a reconnect. */
  text: string;
  /** The socket it was last written to. */
  sentOn: WebSocket | undefined;
  /** Some message answered it, so the kernel has it. */
  acknowledged: boolean;
  reply: Record<string, unknown> | undefined;
  idle: boolean;
  resolve: (reply: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/**
 * One Jupyter session on a kernel's channels WebSocket. Routes messages to
 * their request by `parent_header.msg_id`; if the socket drops while requests
 * are pending it reconnects with the same session id, so the server replays
 * what it buffered meanwhile.
 */
export class KernelConnection {
  readonly kernelId: string;
  readonly sessionId: string;
  readonly #client: JupyterClient;
  #socket: WebSocket | undefined;
  #closed = false;
  #reconnecting: Promise<void> | undefined;
  readonly #pending = new Map<string, PendingEntry>();
  readonly #statusListeners = new Set<(state: string) => void>();

  constructor(client: JupyterClient, kernelId: string, sessionId: string) {
    this.#client = client;
    this.kernelId = kernelId;
    this.sessionId = sessionId;
  }

  get isOpen(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Opens (or re-opens) the socket. */
  async connect(): Promise<void> {
    if (this.#closed) throw new ConnectionLostError("closed");
    if (this.isOpen) return;
    const socket = await this.#client.openSocket(this.kernelId, this.sessionId);
    if (this.#closed) {
      socket.terminate();
      throw new ConnectionLostError("closed");
    }
    this.#socket = socket;
    socket.on("message", (data, isBinary) => {
      // Binary frames carry comm buffers; nothing we use.
      if (!isBinary) this.#onMessage(data.toString());
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.#socket === socket) this.#socket = undefined;
      // A failed reconnect fails the pending requests; nobody else awaits it.
      if (!this.#closed && this.#pending.size > 0) this.#reconnect().catch(() => undefined);
    });
  }

  /** Listens to status messages that have no parent ("restarting", "dead"). */
  onKernelStatus(listener: (state: string) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /** Sends an execute_request; see {@link PendingExecution}. */
  execute(code: string, options: ExecuteOptions = {}): PendingExecution {
    const header = this.#header("execute_request");
    const message: KernelMessage = {
      channel: "shell",
      header,
      parent_header: {},
      metadata: {},
      content: {
        code,
        silent: options.silent ?? false,
        store_history: options.storeHistory ?? !(options.silent ?? false),
        user_expressions: options.userExpressions ?? {},
        allow_stdin: options.allowStdin ?? false,
        stop_on_error: options.stopOnError ?? false,
      },
    };
    const text = JSON.stringify(message);
    const done = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.#pending.set(header.msg_id, {
        options,
        text,
        sentOn: undefined,
        acknowledged: false,
        reply: undefined,
        idle: false,
        resolve,
        reject,
      });
    });
    // Callers may abandon `done` (timeouts): never let it reject unhandled.
    done.catch(() => undefined);
    this.#sendText(text, header.msg_id);
    return { header, done };
  }

  /** Answers an input_request. */
  sendInputReply(parent: MessageHeader, value: string): void {
    this.#send({
      channel: "stdin",
      header: this.#header("input_reply"),
      parent_header: parent,
      metadata: {},
      content: { value },
    });
  }

  /** Fails every pending request with `error` (their replies are then ignored). */
  failPending(error: Error): void {
    for (const [id, entry] of this.#pending) {
      this.#pending.delete(id);
      entry.reject(error);
    }
  }

  /** Forgets one pending request (its later messages are ignored). */
  forget(msgId: string): void {
    this.#pending.delete(msgId);
  }

  /** Closes the socket for good. Idempotent. */
  close(): void {
    this.#closed = true;
    this.failPending(new ConnectionLostError("closed"));
    this.#statusListeners.clear();
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      socket.removeAllListeners();
      socket.on("error", () => undefined);
      socket.close();
      // A close handshake the server never answers must not hold the process.
      setTimeout(() => socket.terminate(), 1_000).unref();
    }
  }

  #header(msgType: string): MessageHeader {
    return {
      msg_id: randomUUID(),
      msg_type: msgType,
      session: this.sessionId,
      username: "codeact",
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    };
  }

  #send(message: KernelMessage): void {
    this.#sendText(JSON.stringify(message));
  }

  /** Sends now, or once the socket is back; records where a request went. */
  #sendText(text: string, requestId?: string): void {
    const write = (): void => {
      const socket = this.#socket;
      if (!socket || !this.isOpen) return;
      socket.send(text);
      const entry = requestId === undefined ? undefined : this.#pending.get(requestId);
      if (entry) entry.sentOn = socket;
    };
    if (this.isOpen) {
      write();
      return;
    }
    // Mid-reconnect or dropped between cells.
    void this.#reconnect().then(write, () => undefined);
  }

  /** Resends requests written to an earlier socket that no message answered. */
  #resendLost(): void {
    const socket = this.#socket;
    if (!socket || !this.isOpen) return;
    for (const entry of this.#pending.values()) {
      if (!entry.acknowledged && entry.sentOn !== undefined && entry.sentOn !== socket) {
        socket.send(entry.text);
        entry.sentOn = socket;
      }
    }
  }

  #reconnect(): Promise<void> {
    this.#reconnecting ??= (async () => {
      let lastError: unknown;
      for (const delayMs of RECONNECT_DELAYS_MS) {
        if (this.#closed) return;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        try {
          await this.connect();
          setTimeout(() => this.#resendLost(), RESEND_AFTER_RECONNECT_MS);
          return;
        } catch (error) {
          lastError = error;
          if (error instanceof KernelGoneError) break;
          if (error instanceof ExecutorUnauthorizedError) break;
        }
      }
      this.failPending(
        lastError instanceof KernelGoneError ? lastError : new ConnectionLostError(lastError)
      );
      throw lastError;
    })().finally(() => {
      this.#reconnecting = undefined;
    });
    return this.#reconnecting;
  }

  #onMessage(text: string): void {
    let message: KernelMessage;
    try {
      message = JSON.parse(text) as KernelMessage;
    } catch {
      return;
    }
    const parentId = message.parent_header?.msg_id;
    const entry = parentId === undefined ? undefined : this.#pending.get(parentId);
    if (message.channel === "iopub" && message.header?.msg_type === "status") {
      const state = String(message.content.execution_state ?? "");
      if (!entry && (state === "restarting" || state === "dead")) {
        this.failPending(new KernelDiedError(state));
        for (const listener of this.#statusListeners) listener(state);
        return;
      }
    }
    if (!entry || parentId === undefined) return;
    entry.acknowledged = true;
    switch (message.channel) {
      case "iopub":
        if (message.header.msg_type === "status") {
          if (message.content.execution_state === "idle") entry.idle = true;
        } else {
          entry.options.onIopub?.(message);
        }
        break;
      case "stdin":
        entry.options.onStdin?.(message);
        break;
      case "shell":
        if (message.header.msg_type === "execute_reply") entry.reply = message.content;
        break;
      default:
        break;
    }
    if (entry.idle && entry.reply) {
      this.#pending.delete(parentId);
      entry.resolve(entry.reply);
    }
  }
}
