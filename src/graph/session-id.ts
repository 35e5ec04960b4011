import { randomUUID } from "node:crypto";
import type { RunnableConfig } from "@langchain/core/runnables";

/**
 * The executor session for a run of the `execute` node: the thread id, scoped
 * by the path of parent graph nodes when the agent runs as a subgraph, so two
 * CodeAct agents nested in one thread keep separate variables.
 *
 * `checkpoint_ns` looks like `"team:<task>|js_analyst:<task>|execute:<task>"`;
 * task ids change every step, so only the node names are kept, and the last
 * segment (the execute node itself) is dropped.
 */
export function executorSessionId(
  config: RunnableConfig,
  fallback: string | null
): { sessionId: string; isNew: boolean } {
  const threadId: unknown = config.configurable?.["thread_id"];
  if (typeof threadId === "string" && threadId !== "") {
    const namespace: unknown = config.configurable?.["checkpoint_ns"];
    const parents =
      typeof namespace === "string" && namespace !== ""
        ? namespace.split("|").map((segment) => segment.split(":")[0] ?? "").slice(0, -1)
        : [];
    return { sessionId: [threadId, ...parents].join("/"), isNew: false };
  }
  if (fallback !== null) return { sessionId: fallback, isNew: false };
  return { sessionId: randomUUID(), isNew: true };
}
