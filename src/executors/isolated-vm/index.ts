/**
 * The isolated-vm JavaScript executor: `langgraph-codeact/executors/isolated-vm`.
 *
 * A subpath of its own so the native `isolated-vm` module loads only when used.
 *
 * @module
 */
export {
  IsolatedVmExecutor,
  createIsolatedVmExecutor,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_MEMORY_LIMIT_MB,
  DEFAULT_MAX_OUTPUT_CHARS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_VARIABLE_CHARS,
  DEFAULT_ISOLATION,
  DEFAULT_PREWARM_SESSIONS,
  type IsolatedVmExecutorOptions,
  type IsolationMode,
} from "./isolated-vm-executor.js";
