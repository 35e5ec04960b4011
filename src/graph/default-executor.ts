import type {
  CodeLanguage,
  ExecuteRequest,
  ExecuteResult,
  Executor,
} from "../executors/types.js";

/**
 * The default executor: an `IsolatedVmExecutor` created on first use. The
 * module is loaded with a dynamic `import()` so that importing the package
 * root never loads isolated-vm's native addon.
 */
export class LazyIsolatedVmExecutor implements Executor {
  readonly name = "isolated-vm";
  readonly language: CodeLanguage = "javascript";
  #executor: Promise<Executor> | undefined;
  #loaded: Executor | undefined;
  #closed = false;

  /** The wrapped executor's description, once {@link load} has resolved. */
  get description(): string | undefined {
    return this.#loaded?.description;
  }

  /** Loads the module and creates the executor (once). */
  load(): Promise<Executor> {
    if (this.#executor === undefined) {
      this.#executor = import("../executors/isolated-vm/index.js").then((module) => {
        const executor: Executor = new module.IsolatedVmExecutor();
        this.#loaded = executor;
        return executor;
      });
    }
    return this.#executor;
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    // Let a closed lazy executor fail the way the real one does.
    const executor = await this.load();
    if (this.#closed) await executor.close();
    return executor.execute(request);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#executor !== undefined) await (await this.#executor).close();
  }
}

/** The executor's description for the prompt, loading a lazy default first. */
export async function executorDescription(
  executor: Executor
): Promise<string | undefined> {
  if (executor instanceof LazyIsolatedVmExecutor) await executor.load();
  return executor.description;
}
