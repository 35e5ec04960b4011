/**
 * The isolated-vm JavaScript executor: `langgraph-codeact/executors/isolated-vm`.
 *
 * A subpath of its own so the native `isolated-vm` module loads only when used.
 *
 * Vocabulary of this folder: a *session* is one thread's sandbox as the
 * executor keeps it across restarts (`SessionSlot` in process, `SessionRecord`
 * in the process supervisor); an `IsolateSession` is the V8 isolate that
 * currently holds it, replaced after a failure.
 *
 * @module
 */
export { IsolatedVmExecutor, createIsolatedVmExecutor } from "./isolated-vm-executor.js";
export {
  DEFAULT_TIMEOUT_MS,
  DEFAULT_MEMORY_LIMIT_MB,
  DEFAULT_MAX_OUTPUT_CHARS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_VARIABLE_CHARS,
  DEFAULT_ISOLATION,
  DEFAULT_PREWARM_SESSIONS,
  type IsolatedVmExecutorOptions,
  type IsolationMode,
} from "./options.js";
