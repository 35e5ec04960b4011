/**
 * Kernels started ahead of the sessions that will use them. A new kernel
 * spends most of a second importing ipykernel; a warm one has done that (and
 * answered a first request) before a session asks, so the session's first
 * cell does not wait for it.
 */
import { ExecutorClosedError } from "../errors.js";
import { TIMED_OUT, withTimeout } from "../../shared/timeout.js";
import type { KernelConnection } from "./kernel-connection.js";
import type { JupyterClient } from "./rest-client.js";

/** How often a kernel that has not answered yet is checked for still existing. */
const READY_CHECK_INTERVAL_MS = 500;

/** A started kernel that has answered a request, with the connection that saw it answer. */
export interface WarmKernel {
  kernelId: string;
  connection: KernelConnection;
}

export interface KernelPoolOptions {
  kernelName: string;
  executorName: string;
  /** Kernels kept warm: each one taken is replaced. */
  size: number;
  /** Limit for a kernel to start and answer. */
  readyTimeoutMs: number;
  /** Opens a connected channels socket to a kernel. */
  connect: (kernelId: string) => Promise<KernelConnection>;
}

export class KernelPool {
  readonly #client: JupyterClient;
  readonly #options: KernelPoolOptions;
  /** Kernels starting or ready, oldest first; a failed start resolves to undefined. */
  readonly #entries: Promise<WarmKernel | undefined>[] = [];
  /** Every kernel this pool started and has not handed out, so close() can shut it down. */
  readonly #owned = new Set<Promise<WarmKernel | undefined>>();
  #closed = false;
  /** Resolves on close(): a kernel still starting is shut down without waiting for it to answer. */
  readonly #closing: Promise<void>;
  #markClosed: () => void = () => undefined;

  constructor(client: JupyterClient, options: KernelPoolOptions) {
    this.#client = client;
    this.#options = options;
    this.#closing = new Promise((resolve) => {
      this.#markClosed = resolve;
    });
    this.#fill();
  }

  /** Starts one more kernel ahead, beyond the pool's size (it is not replaced when taken). */
  prestart(): void {
    if (!this.#closed) this.#startOne();
  }

  /**
   * The oldest warm kernel, or undefined when none is starting or every one
   * failed to start (the caller starts its own and sees the real error). The
   * pool refills once per call, after the wait: a server that fails every
   * start costs one start per new session, never a loop.
   */
  async take(): Promise<WarmKernel | undefined> {
    try {
      for (let remaining = this.#entries.length; remaining > 0 && !this.#closed; remaining -= 1) {
        const entry = this.#entries.shift() as Promise<WarmKernel | undefined>;
        // Still owned while it is awaited, so a close() meanwhile waits for it and shuts it down.
        const warm = await entry;
        if (warm === undefined || !this.#owned.has(entry)) continue;
        // A kernel deleted or culled while it waited leaves its socket open and silent: ask the server.
        if (!this.#closed && (await this.#alive(warm.kernelId)) && !this.#closed) {
          this.#owned.delete(entry);
          return warm;
        }
        this.#owned.delete(entry);
        await this.discard(warm);
      }
    } finally {
      this.#fill();
    }
    if (this.#closed) throw new ExecutorClosedError(this.#options.executorName);
    return undefined;
  }

  /** Shuts down every kernel still in the pool, including those still starting. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#markClosed();
    this.#entries.length = 0;
    const owned = [...this.#owned];
    this.#owned.clear();
    await Promise.allSettled(
      owned.map(async (entry) => {
        const warm = await entry;
        if (warm) await this.discard(warm);
      })
    );
  }

  #fill(): void {
    while (!this.#closed && this.#entries.length < this.#options.size) this.#startOne();
  }

  #startOne(): void {
    const entry = this.#warm().catch(() => undefined);
    this.#entries.push(entry);
    this.#owned.add(entry);
  }

  async #warm(): Promise<WarmKernel> {
    const { id: kernelId } = await this.#client.startKernel(this.#options.kernelName);
    const deadline = Date.now() + this.#options.readyTimeoutMs;
    let connection: KernelConnection | undefined;
    try {
      // The server holds a channels socket open until the kernel answers it (up to a minute for one deleted meanwhile).
      const connecting = this.#options.connect(kernelId);
      connection = await this.#whileAlive(kernelId, connecting, deadline).catch((error: unknown) => {
        connecting.then((late) => late.close(), () => undefined);
        throw error;
      });
      // An empty silent request: its reply means the kernel is up and listening.
      const pending = connection.execute("", { silent: true, storeHistory: false });
      try {
        await this.#whileAlive(kernelId, pending.done, deadline);
      } finally {
        connection.forget(pending.header.msg_id);
      }
      return { kernelId, connection };
    } catch (error) {
      await this.discard({ kernelId, connection });
      throw error;
    }
  }

  /**
   * Waits for `work` while the kernel still exists: a kernel deleted or culled
   * meanwhile never answers, so the server is asked every half second.
   */
  async #whileAlive<T>(kernelId: string, work: Promise<T>, deadline: number): Promise<T> {
    for (;;) {
      const done = await withTimeout(Promise.race([work, this.#closing]), READY_CHECK_INTERVAL_MS);
      if (this.#closed) throw new ExecutorClosedError(this.#options.executorName);
      if (done !== TIMED_OUT) return done as T;
      if (Date.now() > deadline) throw new Error(`kernel ${kernelId} did not answer within ${this.#options.readyTimeoutMs} ms`);
      if (!(await this.#alive(kernelId))) throw new Error(`kernel ${kernelId} is gone`);
    }
  }

  async #alive(kernelId: string): Promise<boolean> {
    const model = await this.#client.getKernel(kernelId).catch(() => null);
    return model !== null && model.execution_state !== "dead";
  }

  /**
   * Closes a warm kernel's connection and shuts the kernel down (a taken one
   * that failed, too, or one that failed before it had a connection).
   */
  async discard(warm: { kernelId: string; connection?: KernelConnection | undefined }): Promise<void> {
    warm.connection?.close();
    await this.#client.shutdownKernel(warm.kernelId).catch(() => undefined);
  }
}
