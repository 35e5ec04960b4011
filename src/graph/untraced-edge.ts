import { Runnable, type RunnableConfig } from "@langchain/core/runnables";

/**
 * A conditional edge's path function as a runnable that is only called: no
 * run in traces, no callback set-up. LangGraph otherwise wraps a path
 * function in a traced `RunnableLambda`, which would add a run to every turn's
 * trace and cost about as much as the node the edge saves.
 */
class UntracedEdge<State, Destination> extends Runnable<State, Destination> {
  lc_namespace = ["langgraph_codeact", "graph"];
  readonly #choose: (state: State, config?: RunnableConfig) => Destination;

  constructor(choose: (state: State, config?: RunnableConfig) => Destination) {
    super();
    this.#choose = choose;
  }

  override async invoke(state: State, config?: RunnableConfig): Promise<Destination> {
    return this.#choose(state, config);
  }
}

/** Wraps a conditional edge's path function; see {@link UntracedEdge}. */
export function untracedEdge<State, Destination>(
  choose: (state: State, config?: RunnableConfig) => Destination
): Runnable<State, Destination> {
  return new UntracedEdge(choose);
}
