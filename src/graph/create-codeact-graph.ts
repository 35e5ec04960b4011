import { END, START, StateGraph } from "@langchain/langgraph";
import { DEFAULT_AGENT_NAME, DEFAULT_MAX_STEPS, NODE_EXECUTE, NODE_MODEL, NODE_ROUTE } from "./constants.js";
import { createExecuteNode } from "./nodes/execute.js";
import { createModelNode, type CodeActNode } from "./nodes/model.js";
import { createRouteNode, type RouteNode } from "./nodes/route.js";
import { messageText, otherLanguageCode } from "./extract-code.js";
import { resolveCodeAct } from "./resolve.js";
import { awaitingCall } from "./tool-approval/types.js";
import { toolCallsOf } from "./tool-calling-fallback.js";
import { untracedEdge } from "./untraced-edge.js";
import { CodeActState, type CodeActStateType } from "./state.js";
import type { CreateCodeActParams, ModelNodeParams } from "./types.js";

/**
 * Supersteps one code action costs (`execute`, `model`, `route`), and the
 * extra ones a turn needs (first `model` and `route`, LangGraph's check after
 * the last step, answer corrections), for the default recursion limit of
 * {@link createCodeActAgent}: `maxSteps` actions need `3 * maxSteps + 3`.
 */
const STEPS_PER_ACTION = 3;
const RECURSION_HEADROOM_STEPS = 12;

/** The recursion limit that lets `maxSteps` code actions run in one invocation. */
export function defaultRecursionLimit(maxSteps: number): number {
  return STEPS_PER_ACTION * maxSteps + RECURSION_HEADROOM_STEPS;
}

/**
 * Builds the CodeAct graph, uncompiled, so it can be compiled with your own
 * checkpointer or composed into a bigger graph:
 *
 * ```
 * START → model ─┬─→ route ─┬─→ execute ─┬─→ model
 *                 │          │             └─→ route (with approveToolCalls: a tool call waits)
 *                 │          ├─→ model   (rejected code, invalid structured answer)
 *                 │          └─→ END     (checked final answer, or budget spent)
 *                 └─→ END    (a final answer with nothing to check)
 * ```
 *
 * Parameters are validated here, with errors that say what to change.
 */
export function createCodeActGraph(params: CreateCodeActParams) {
  const nodes = createCodeActNodes(params, "createCodeActGraph");
  const graph = new StateGraph(CodeActState)
    .addNode(NODE_MODEL, nodes.model)
    .addNode(NODE_ROUTE, nodes.route, {
      ends: [NODE_EXECUTE, NODE_MODEL, END],
    })
    .addNode(NODE_EXECUTE, nodes.execute)
    .addEdge(START, NODE_MODEL)
    // A final answer that needs no checking ends the run from `model`: one
    // node execution fewer per turn than passing through `route`.
    .addConditionalEdges(NODE_MODEL, untracedEdge(nodes.afterModel), [NODE_ROUTE, END]);
  // Only an agent whose tool calls can wait for a human needs the way back to `route`.
  return resolveCodeAct(params, "createCodeActGraph").needsToolApproval === undefined
    ? graph.addEdge(NODE_EXECUTE, NODE_MODEL)
    : graph.addConditionalEdges(NODE_EXECUTE, untracedEdge(nodes.afterExecute), [NODE_MODEL, NODE_ROUTE]);
}

/** The three nodes of one agent; see {@link createCodeActNodes}. */
export interface CodeActNodes {
  model: CodeActNode;
  route: RouteNode;
  execute: ReturnType<typeof createExecuteNode>;
  /**
   * The edge after `model`: `END` for a reply with no code when there is
   * nothing to check (no `responseFormat`, no block in the other language),
   * else `route`. Optional: an edge
   * `model → route` behaves the same, one node execution slower.
   */
  afterModel: (state: CodeActStateType) => typeof NODE_ROUTE | typeof END;
  /**
   * The edge after `execute`: `route` when the cell paused on a tool call
   * that waits for a human (`approveToolCalls`), else `model`. Needed only
   * with `approveToolCalls`; a plain edge `execute → model` does otherwise.
   */
  afterExecute: (state: CodeActStateType) => typeof NODE_ROUTE | typeof NODE_MODEL;
}

/**
 * The `model`, `route` and `execute` nodes of one agent, from one resolution
 * of `params` (one executor, one prompt, the same tools), for wiring into a
 * graph of your own. `createCodeActGraph` is these nodes with the standard
 * edges. Validates `params` like it.
 */
export function createCodeActNodes(params: ModelNodeParams, caller = "createCodeActNodes"): CodeActNodes {
  if (typeof params === "object" && params !== null && params.model === undefined) {
    throw new Error(`${caller}: \`model\` is required: any LangChain chat model, e.g. \`new ChatOpenAI({ model: "gpt-4o-mini" })\`.`);
  }
  const resolved = resolveCodeAct(params, caller);
  return {
    model: createModelNode(resolved),
    route: createRouteNode(resolved),
    execute: createExecuteNode(resolved),
    afterModel: (state) => {
      if (state.actionMode === "tool_calling") return toolCallsOf(state.messages.at(-1)).length > 0 ? NODE_ROUTE : END;
      if (state.code !== null || resolved.responseFormat !== undefined) return NODE_ROUTE;
      const text = messageText(state.messages.at(-1)?.content ?? "");
      // A reply in the wrong shape (or language) goes to `route`, which corrects it.
      return otherLanguageCode(text, resolved.language) === null && resolved.readReply(text).kind === "answer" ? END : NODE_ROUTE;
    },
    afterExecute: (state) => (awaitingCall(state.toolApproval) === undefined ? NODE_MODEL : NODE_ROUTE),
  };
}

/**
 * Builds and compiles a CodeAct agent, named (default `"codeact_agent"`) so it
 * nests as a subgraph node or works under a supervisor. Its default
 * `recursionLimit` leaves room for `maxSteps` code actions; a limit passed
 * at invoke time wins, and the agent still ends gracefully before it.
 */
export function createCodeActAgent(params: CreateCodeActParams) {
  const compiled = createCodeActGraph(params).compile({
    name: params.name ?? DEFAULT_AGENT_NAME,
    ...(params.checkpointer !== undefined && { checkpointer: params.checkpointer }),
    ...(params.store !== undefined && { store: params.store }),
    ...(params.description !== undefined && { description: params.description }),
  });
  return compiled.withConfig({
    recursionLimit: defaultRecursionLimit(params.maxSteps ?? DEFAULT_MAX_STEPS),
  });
}
