/**
 * The Jupyter executor: Python code in Jupyter kernels, over the Jupyter
 * Server REST + WebSocket API (Jupyter Server, Kernel Gateway, Enterprise
 * Gateway).
 *
 * @module
 */
export { JupyterExecutor, createJupyterExecutor } from "./jupyter-executor.js";
export {
  DEFAULT_INTERRUPT_GRACE_MS,
  DEFAULT_KERNEL_NAME,
  DEFAULT_MAX_OUTPUT_CHARS,
  DEFAULT_MAX_RICH_OUTPUT_CHARS,
  DEFAULT_MAX_RICH_OUTPUTS,
  DEFAULT_MAX_TOOL_RESULT_BYTES,
  DEFAULT_MAX_VARIABLE_CHARS,
  DEFAULT_TIMEOUT_MS,
  type JupyterExecutorOptions,
} from "./options.js";
export { checkJupyterServer } from "./rest-client.js";
export {
  startLocalJupyter,
  type LocalJupyter,
  type StartLocalJupyterOptions,
} from "./local-server.js";
export { SANDBOX_DEFAULTS, type PythonSandboxOptions } from "./sandbox/options.js";
