/**
 * REST calls of the kernel lifecycle, and the raw channels WebSocket. Only the
 * endpoints shared by Jupyter Server, Kernel Gateway and Enterprise Gateway
 * are used.
 */
import WebSocket from "ws";
import {
  ExecutorProtocolError,
  ExecutorUnauthorizedError,
  ExecutorUnavailableError,
} from "../errors.js";
import { delay } from "../../shared/timeout.js";
import { KernelGoneError, type KernelModel } from "./kernel-protocol.js";

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const SHUTDOWN_RETRY_DELAYS_MS = [200, 400, 800, 1_600, 3_200] as const;
const KERNEL_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

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

/** The kernel id goes into URL paths: refuse anything but a plain id. */
function assertKernelId(kernelId: string): void {
  if (!KERNEL_ID_PATTERN.test(kernelId)) {
    throw new ExecutorProtocolError(`Invalid kernel id ${JSON.stringify(kernelId)}.`);
  }
}

/** One Jupyter server: its kernels' REST lifecycle and their channels sockets. */
export class JupyterClient {
  readonly baseUrl: string;
  readonly wsUrl: string;
  readonly #token: string | undefined;
  readonly #requestTimeoutMs: number;

  constructor(options: JupyterClientOptions) {
    this.baseUrl = withTrailingSlash(options.baseUrl);
    this.wsUrl = withTrailingSlash(options.wsUrl ?? this.baseUrl.replace(/^http(s?):/i, "ws$1:"));
    this.#token = options.token;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  get #headers(): Record<string, string> {
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
  async listKernels(): Promise<KernelModel[]> {
    const response = await this.#request("GET", "api/kernels");
    if (!response.ok) throw await this.#unexpected(response, "list kernels");
    return (await response.json()) as KernelModel[];
  }

  async getKernel(kernelId: string): Promise<KernelModel | null> {
    assertKernelId(kernelId);
    const response = await this.#request("GET", `api/kernels/${kernelId}`);
    if (response.status === 404) return null;
    if (!response.ok) throw await this.#unexpected(response, "get the kernel");
    return (await response.json()) as KernelModel;
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

  /**
   * {@link shutdownKernel}, asked again while the server answers with an
   * error: jupyter_server 1.x answers 500 to a DELETE while it auto-restarts
   * a dead kernel.
   */
  async shutdownKernelRetrying(kernelId: string): Promise<void> {
    for (const delayMs of SHUTDOWN_RETRY_DELAYS_MS) {
      try {
        await this.shutdownKernel(kernelId);
        return;
      } catch (error) {
        if (!(error instanceof ExecutorProtocolError)) throw error;
        await delay(delayMs);
      }
    }
    await this.shutdownKernel(kernelId);
  }

  /**
   * Opens one channels WebSocket to a kernel, as Jupyter session `sessionId`
   * (the server replays what it buffered for a session that reconnects).
   */
  openSocket(kernelId: string, sessionId: string): Promise<WebSocket> {
    assertKernelId(kernelId);
    const url = new URL(`api/kernels/${kernelId}/channels`, this.wsUrl);
    url.searchParams.set("session_id", sessionId);
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: this.#headers, perMessageDeflate: false });
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
    if (!response.ok) {
      const error = await this.#unexpected(response, `${action} the kernel`);
      // jupyter_server 1.x answers 500, not 404, to a restart of a kernel it no longer has.
      if ((await this.getKernel(kernelId).catch(() => undefined)) === null) throw new KernelGoneError(kernelId);
      throw error;
    }
    await response.body?.cancel();
  }

  async #request(method: string, path: string, body?: unknown): Promise<Response> {
    const url = new URL(path, this.baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          ...this.#headers,
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
    return new ExecutorUnavailableError(`Cannot reach the Jupyter server at ${this.baseUrl}: ${reason}`, {
      cause: error,
      details: { url: this.baseUrl },
    });
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

/**
 * Checks that a Jupyter server answers at `baseUrl` and accepts `token`, by
 * listing its kernels.
 * @throws ExecutorUnavailableError (unreachable) or ExecutorUnauthorizedError
 * (token refused), naming the URL.
 */
export async function checkJupyterServer(address: { baseUrl: string; token?: string }): Promise<void> {
  await new JupyterClient({ baseUrl: address.baseUrl, ...(address.token !== undefined && { token: address.token }), requestTimeoutMs: 10_000 }).listKernels();
}
