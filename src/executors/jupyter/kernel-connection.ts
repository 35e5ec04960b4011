/**
 * One Jupyter session on a kernel's channels WebSocket: sends requests,
 * routes replies to them by `parent_header.msg_id`, and survives a dropped
 * socket (reconnects as the same session so the server replays what it
 * buffered, then resends requests the kernel never saw).
 */
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { ExecutorUnauthorizedError } from "../errors.js";
import { delay } from "../../shared/timeout.js";
import {
  ConnectionLostError,
  KernelDiedError,
  KernelGoneError,
  PROTOCOL_VERSION,
  type KernelMessage,
  type MessageHeader,
} from "./kernel-protocol.js";

/** Waits between reconnection attempts while requests are pending. */
const RECONNECT_DELAYS_MS = [50, 250, 1_000, 2_000] as const;
/**
 * After a reconnect, how long the server gets to replay what it buffered
 * before we resend requests nothing answered (they were lost in flight).
 */
const RESEND_AFTER_RECONNECT_MS = 500;

/** Opens a new channels socket for this connection's Jupyter session. */
export type SocketOpener = (sessionId: string) => Promise<WebSocket>;

export interface KernelConnectionOptions {
  /** @defaultValue 50, 250, 1 000, 2 000 ms */
  reconnectDelaysMs?: readonly number[];
  /** @defaultValue `500` */
  resendAfterReconnectMs?: number;
}

export interface ExecuteOptions {
  silent?: boolean;
  storeHistory?: boolean;
  allowStdin?: boolean;
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

export class KernelConnection {
  readonly #sessionId = randomUUID();
  readonly #openSocket: SocketOpener;
  readonly #reconnectDelaysMs: readonly number[];
  readonly #resendAfterReconnectMs: number;
  #socket: WebSocket | undefined;
  #closed = false;
  #reconnecting: Promise<void> | undefined;
  readonly #pending = new Map<string, PendingEntry>();
  readonly #statusListeners = new Set<(state: string) => void>();

  constructor(openSocket: SocketOpener, options: KernelConnectionOptions = {}) {
    this.#openSocket = openSocket;
    this.#reconnectDelaysMs = options.reconnectDelaysMs ?? RECONNECT_DELAYS_MS;
    this.#resendAfterReconnectMs = options.resendAfterReconnectMs ?? RESEND_AFTER_RECONNECT_MS;
  }

  get #isOpen(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Opens (or re-opens) the socket. */
  async connect(): Promise<void> {
    if (this.#closed) throw new ConnectionLostError("closed");
    if (this.#isOpen) return;
    const socket = await this.#openSocket(this.#sessionId);
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
  onKernelStatus(listener: (state: string) => void): void {
    this.#statusListeners.add(listener);
  }

  /** Sends an execute_request; see {@link PendingExecution}. */
  execute(code: string, options: ExecuteOptions = {}): PendingExecution {
    const header = this.#header("execute_request");
    const silent = options.silent ?? false;
    const text = JSON.stringify({
      channel: "shell",
      header,
      parent_header: {},
      metadata: {},
      content: {
        code,
        silent,
        store_history: options.storeHistory ?? !silent,
        user_expressions: options.userExpressions ?? {},
        allow_stdin: options.allowStdin ?? false,
        stop_on_error: false,
      },
    } satisfies KernelMessage);
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
    const message: KernelMessage = {
      channel: "stdin",
      header: this.#header("input_reply"),
      parent_header: parent,
      metadata: {},
      content: { value },
    };
    this.#sendText(JSON.stringify(message));
  }

  /** Forgets one pending request (its later messages are ignored). */
  forget(msgId: string): void {
    this.#pending.delete(msgId);
  }

  /** Closes the socket for good. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#failPending(new ConnectionLostError("closed"));
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

  #failPending(error: Error): void {
    for (const [id, entry] of this.#pending) {
      this.#pending.delete(id);
      entry.reject(error);
    }
  }

  #header(msgType: string): MessageHeader {
    return {
      msg_id: randomUUID(),
      msg_type: msgType,
      session: this.#sessionId,
      username: "codeact",
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    };
  }

  /** Sends now, or once the socket is back; records where a request went. */
  #sendText(text: string, requestId?: string): void {
    const write = (): void => {
      const socket = this.#socket;
      if (!socket || !this.#isOpen) return;
      socket.send(text);
      const entry = requestId === undefined ? undefined : this.#pending.get(requestId);
      if (entry) entry.sentOn = socket;
    };
    if (this.#isOpen) {
      write();
      return;
    }
    // Mid-reconnect or dropped between cells.
    void this.#reconnect().then(write, () => undefined);
  }

  /** Resends requests written to an earlier socket that no message answered. */
  #resendLost(): void {
    const socket = this.#socket;
    if (!socket || !this.#isOpen) return;
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
      for (const delayMs of this.#reconnectDelaysMs) {
        if (this.#closed) return;
        await delay(delayMs);
        try {
          await this.connect();
          setTimeout(() => this.#resendLost(), this.#resendAfterReconnectMs).unref();
          return;
        } catch (error) {
          lastError = error;
          if (error instanceof KernelGoneError || error instanceof ExecutorUnauthorizedError) break;
        }
      }
      this.#failPending(lastError instanceof KernelGoneError ? lastError : new ConnectionLostError(lastError));
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
      const state = String(message.content?.execution_state ?? "");
      if (!entry && (state === "restarting" || state === "dead")) {
        this.#failPending(new KernelDiedError(state));
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
