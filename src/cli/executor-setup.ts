/**
 * The CLI's executor: the chosen language's, built with the one executor
 * factory (only its native or network code loads), a local Jupyter server
 * started (sandboxed unless --no-sandbox) when no server is given.
 */
import { createExecutor, type JupyterServerAddress } from "../executors/create-executor.js";
import type { Executor } from "../executors/types.js";
import type { CliConfig } from "./args.js";

export interface ExecutorSetup {
  executor: Executor;
  /** Closes the executor (and stops a Jupyter server the CLI started). */
  cleanup(): Promise<void>;
}

// Built with the one executor factory; only the chosen executor's native or
// network code loads. Everything that can fail is checked here, before the
// first model call: the native module, the Jupyter server and its token.
export async function setUpExecutor(config: CliConfig, notice: (message: string) => void): Promise<ExecutorSetup> {
  if (config.executor === "javascript") {
    // The sandbox's worker process boots (~200 ms) while the executor's own
    // modules load (~70 ms, mostly the code transform) and the agent after them.
    const { prestartWorkerProcess } = await import("../executors/isolated-vm/worker-process.js");
    prestartWorkerProcess();
    const executor = createExecutor({
      language: "javascript",
      options: {
        ...(config.timeoutMs !== undefined && { timeoutMs: config.timeoutMs }),
        ...(config.memoryLimitMb !== undefined && { memoryLimitMb: config.memoryLimitMb }),
      },
    });
    await executor.load();
    return { executor, cleanup: () => executor.close() };
  }
  const { checkJupyterServer, JupyterExecutor, startLocalJupyter } = await import("../executors/jupyter/index.js");
  let server: JupyterServerAddress;
  let stopServer: (() => Promise<void>) | undefined;
  let sandboxed = false;
  if (config.jupyterUrl === undefined) {
    const local = await startLocalJupyter({
      sandbox: config.sandbox ? { ...(config.memoryLimitMb !== undefined && { memoryLimitMb: config.memoryLimitMb }) } : false,
    });
    notice(
      `started a local jupyter-server at ${local.baseUrl} (${local.sandboxed ? "kernels in the bubblewrap sandbox" : "kernels NOT sandboxed: --no-sandbox"}; stopped at exit)`
    );
    server = { baseUrl: local.baseUrl, token: local.token };
    sandboxed = local.sandboxed;
    stopServer = () => local.stop();
  } else {
    server = { baseUrl: config.jupyterUrl, ...(config.jupyterToken !== undefined && { token: config.jupyterToken }) };
    await checkJupyterServer(server);
  }
  const executor = createExecutor({
    language: "python",
    server,
    options: { ...(config.timeoutMs !== undefined && { timeoutMs: config.timeoutMs }), sandboxed },
  });
  // Loaded now (no connection yet) so the prompt gets the executor's description.
  const loaded = await executor.load();
  // The kernel starts while the model writes its first reply, so the first cell does not wait for it.
  if (loaded instanceof JupyterExecutor) loaded.prestartKernel();
  return {
    executor,
    async cleanup() {
      try {
        await executor.close();
      } finally {
        await stopServer?.();
      }
    },
  };
}
