import type { RunnableConfig } from "@langchain/core/runnables";
import type { StepWindow } from "./state.js";

/** LangGraph's recursion limit when the config has none. */
const LANGGRAPH_DEFAULT_RECURSION_LIMIT = 25;

/** The LangGraph superstep this node runs in, if it runs inside a graph. */
export function currentStep(config: RunnableConfig | undefined): number | undefined {
  const step = config?.metadata?.["langgraph_step"];
  return typeof step === "number" ? step : undefined;
}

/**
 * The step window after a CodeAct node ran at `step`. LangGraph numbers the
 * supersteps of a thread continuously and spends one on each new input, so
 * consecutive nodes of one invocation are exactly one step apart; any other
 * distance (or no window yet) starts a new invocation. `restart` forces a
 * new window, for a node resumed after an interrupt (a resume gets a fresh
 * recursion budget without a gap in step numbers).
 */
export function advanceStepWindow(
  window: StepWindow | null,
  step: number | undefined,
  restart = false
): StepWindow | null {
  if (step === undefined) return window;
  if (restart || window === null || step - window.last !== 1) {
    return { first: step, last: step };
  }
  return { first: window.first, last: step };
}

/**
 * How many more supersteps may run after the current one, the last of them
 * ending the run, before LangGraph would throw `GraphRecursionError`
 * (Infinity outside a graph). LangGraph checks the limit after every
 * superstep, even the last: a run whose first superstep is `first` must end
 * by superstep `first + recursionLimit - 2` (measured with
 * @langchain/langgraph 1.7.3).
 */
export function stepsLeftAfter(
  window: StepWindow | null,
  config: RunnableConfig | undefined
): number {
  if (window === null) return Number.POSITIVE_INFINITY;
  const limit = config?.recursionLimit ?? LANGGRAPH_DEFAULT_RECURSION_LIMIT;
  return window.first + limit - 2 - window.last;
}
