import type { RunnableConfig } from "@langchain/core/runnables";

/** Do any callback handlers (tracers, `streamEvents`) watch this run? */
export function hasCallbacks(config: RunnableConfig): boolean {
  const callbacks = config.callbacks;
  if (callbacks === undefined) return false;
  if (Array.isArray(callbacks)) return callbacks.length > 0;
  return callbacks.handlers.length > 0;
}
