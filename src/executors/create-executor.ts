/**
 * The one executor factory: an executor for a language from plain options,
 * created on first use. The graph's default, the CLI, the Studio graphs and
 * the benchmarks all build executors here. The modules are loaded with a
 * dynamic `import()`, so importing the package root never loads isolated-vm's
 * native addon nor the Jupyter client.
 */
import type { IsolatedVmExecutorOptions } from "./isolated-vm/options.js";
import type { JupyterExecutorOptions } from "./jupyter/options.js";
import type { StartLocalJupyterOptions } from "./jupyter/local-server.js";
import type { CodeLanguage, ExecuteRequest, ExecuteResult, Executor } from "./types.js";

/** Where a Jupyter server listens. */
export interface JupyterServerAddress {
  baseUrl: string;
  token?: string;
}

/** What {@link createExecutor} builds. */
export type ExecutorSpec =
  | {
      language: "javascript";
      /** Options of `IsolatedVmExecutor` (timeout, memory, isolation, …). */
      options?: IsolatedVmExecutorOptions;
    }
  | {
      language: "python";
      /**
       * A Jupyter server to run kernels on. Without it a local `jupyter-server`
       * is started on the first cell (options of `startLocalJupyter`) and
       * stopped by `close()`; its kernels run in the bubblewrap sandbox unless
       * `{ local: { sandbox: false } }` says otherwise. A function is asked on
       * the first cell (a server shared by several executors, started when
       * first needed).
       */
      server?: JupyterServerAddress | { local: StartLocalJupyterOptions } | (() => Promise<JupyterServerAddress>);
      /** Options of `JupyterExecutor` other than the server's address. */
      options?: Omit<JupyterExecutorOptions, "baseUrl" | "token">;
    };

/**
 * An executor for `spec.language`, created (and its module loaded) on first
 * use. `description` is available after {@link LazyExecutor.load}; the graph
 * loads it before rendering the prompt.
 */
export function createExecutor(spec: ExecutorSpec = { language: "javascript" }): LazyExecutor {
  return new LazyExecutor(spec);
}

/** An executor created on first use; see {@link createExecutor}. */
export class LazyExecutor implements Executor {
  readonly name: string;
  readonly language: CodeLanguage;
  readonly #spec: ExecutorSpec;
  #executor: Promise<Executor> | undefined;
  #loaded: Executor | undefined;
  #stopServer: (() => Promise<void>) | undefined;
  #closed = false;

  constructor(spec: ExecutorSpec) {
    this.#spec = spec;
    this.language = spec.language;
    this.name = spec.language === "javascript" ? "isolated-vm" : "jupyter";
  }

  /** The created executor's description, once {@link load} has resolved. */
  get description(): string | undefined {
    return this.#loaded?.description;
  }

  /**
   * The executor's description for the prompt. A Python executor describes
   * itself without starting a server: the description depends only on its
   * options.
   */
  async describe(): Promise<string | undefined> {
    if (this.#loaded !== undefined || this.#spec.language === "javascript") return (await this.load()).description;
    const { JupyterExecutor } = await import("./jupyter/index.js");
    // The client connects on the first cell, so an address nobody listens on is fine here.
    const server = this.#spec.server;
    const localSandbox = (server === undefined || (typeof server !== "function" && "local" in server)) && localServerOptions(server).sandbox !== false;
    return new JupyterExecutor({
      ...this.#spec.options,
      ...(this.#spec.options?.sandboxed === undefined && localSandbox && { sandboxed: true }),
      // Only read for its description: it must start nothing.
      warmKernels: 0,
      baseUrl: "http://127.0.0.1:9/",
    }).description;
  }

  /** Loads the module and creates the executor (once; a failed start is retried next time). */
  load(): Promise<Executor> {
    this.#executor ??= this.#create();
    this.#executor.catch(() => {
      this.#executor = undefined;
    });
    return this.#executor;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    const executor = await this.load();
    // A closed lazy executor fails the way the real one does.
    if (this.#closed) await executor.close();
    return executor.execute(request);
  }

  async forgetSession(sessionId: string): Promise<void> {
    if (this.#executor === undefined) return;
    const executor = await this.#executor;
    await executor.forgetSession?.(sessionId);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pending = this.#executor;
    if (pending !== undefined) await (await pending.catch(() => undefined))?.close();
    await this.#stopServer?.();
  }

  async #create(): Promise<Executor> {
    const spec = this.#spec;
    let executor: Executor;
    if (spec.language === "javascript") {
      const { IsolatedVmExecutor } = await import("./isolated-vm/index.js");
      executor = new IsolatedVmExecutor(spec.options);
    } else {
      const { JupyterExecutor, startLocalJupyter } = await import("./jupyter/index.js");
      let server: JupyterServerAddress;
      let sandboxed = spec.options?.sandboxed;
      if (typeof spec.server === "function") {
        server = await spec.server();
      } else if (spec.server === undefined || "local" in spec.server) {
        const local = await startLocalJupyter(localServerOptions(spec.server));
        this.#stopServer = () => local.stop();
        server = { baseUrl: local.baseUrl, token: local.token };
        sandboxed = local.sandboxed;
      } else {
        server = spec.server;
      }
      executor = new JupyterExecutor({
        ...spec.options,
        ...(sandboxed !== undefined && { sandboxed }),
        baseUrl: server.baseUrl,
        ...(server.token !== undefined && { token: server.token }),
      });
    }
    this.#loaded = executor;
    return executor;
  }
}

/** A local server's options: its kernels sandboxed unless `sandbox: false` is given. */
function localServerOptions(server: { local: StartLocalJupyterOptions } | undefined): StartLocalJupyterOptions {
  const local = server?.local ?? {};
  return { ...local, sandbox: local.sandbox ?? true };
}
