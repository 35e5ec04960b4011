import type { RunnableConfig } from "@langchain/core/runnables";
import { isTracingEnabledByEnvironment } from "./tracing-env.js";

/** Do any callback handlers (tracers, `streamEvents`) watch this run? */
export function hasCallbacks(config: RunnableConfig): boolean {
  const callbacks = config.callbacks;
  if (callbacks === undefined) return false;
  if (Array.isArray(callbacks)) return callbacks.length > 0;
  return callbacks.handlers.length > 0;
}

/**
 * Would a LangChain call made with `config` report to anyone: its callback
 * handlers, or a tracer the environment turns on?
 */
export function somethingListens(config: RunnableConfig | undefined): boolean {
  return (config !== undefined && hasCallbacks(config)) || isTracingEnabledByEnvironment();
}
