import { createExecutor, LazyExecutor } from "../executors/create-executor.js";
import type { Executor } from "../executors/types.js";

/**
 * The default executor of an agent built without one: an `IsolatedVmExecutor`
 * created on first use, through the one executor factory.
 */
export function defaultExecutor(): LazyExecutor {
  return createExecutor({ language: "javascript" });
}

/** The executor's description for the prompt, describing a lazy executor without running a cell. */
export async function executorDescription(executor: Executor): Promise<string | undefined> {
  if (executor instanceof LazyExecutor) return executor.describe();
  return executor.description;
}
