import type { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { consumeCallback } from "@langchain/core/callbacks/promises";
import type { RunnableConfig } from "@langchain/core/runnables";
import { isBaseTracer } from "@langchain/core/tracers/base";

/** The part of a tracer's run record that metadata lives in. */
interface RunRecord {
  extra?: Record<string, unknown>;
}

/** `BaseTracer.getRunById` is protected; tracers expose it at run time. */
interface RunLookup {
  getRunById(runId: string): RunRecord | undefined;
  awaitHandlers: boolean;
}

/** The callback manager a runnable gives its function: its parent run is that runnable's run. */
interface ChildCallbackManager {
  getParentRunId(): string | undefined;
  handlers: BaseCallbackHandler[];
}

/**
 * Adds metadata to the run that `config` belongs to (the config a
 * `RunnableLambda` passes its function), for facts known only when the run
 * ends, such as its duration. Tracers send a run's metadata again when it
 * ends, so LangSmith records what is added here.
 *
 * LangChain has no public API for this: the run is found in each tracer's
 * run map. The change is queued behind the run's start callback (LangChain
 * runs callbacks in the background, in order), so it lands after the run
 * exists and before its end is sent. Never throws: tracing must not fail a
 * run.
 */
export async function addRunMetadata(
  config: RunnableConfig | undefined,
  metadata: Record<string, unknown>
): Promise<void> {
  const manager = config?.callbacks as Partial<ChildCallbackManager> | undefined;
  if (typeof manager?.getParentRunId !== "function" || !Array.isArray(manager.handlers)) return;
  const runId = manager.getParentRunId();
  if (runId === undefined) return;
  await Promise.all(
    manager.handlers.filter(isBaseTracer).map((tracer) => {
      const lookup = tracer as unknown as RunLookup;
      return consumeCallback(() => {
        try {
          const run = lookup.getRunById(runId);
          if (run === undefined) return;
          const extra = (run.extra ??= {});
          const current = extra["metadata"];
          extra["metadata"] = {
            ...(typeof current === "object" && current !== null ? current : {}),
            ...metadata,
          };
        } catch {
          // A tracer with another shape: leave its run as it is.
        }
      }, lookup.awaitHandlers === true);
    })
  ).catch(() => undefined);
}
