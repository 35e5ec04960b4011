/**
 * LangSmith tracing: what a code cell records in a trace, and the pieces a
 * command-line tool needs to trace a run, flush it and link to it.
 *
 * @module
 */
export {
  createTraceSession,
  flushTraces,
  getTraceUrl,
  isTracingEnabledByEnvironment,
  DEFAULT_FLUSH_TIMEOUT_MS,
  DEFAULT_TRACE_URL_TIMEOUT_MS,
  TRACING_ENV_VARS,
  type TraceSession,
  type TraceSessionOptions,
} from "./langsmith.js";
export {
  cellTraceMetadata,
  cellTraceOutputs,
  traceRichOutput,
  DEFAULT_MAX_TRACE_OUTPUT_CHARS,
  DEFAULT_MAX_TRACE_TEXT_CHARS,
  type CellTraceMetadata,
  type CellTraceOutputs,
  type TracedRichOutput,
  type TraceOutputLimits,
} from "./trace-outputs.js";
export { addRunMetadata } from "./run-metadata.js";
