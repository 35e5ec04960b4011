import { END, START, StateGraph } from "@langchain/langgraph";
import type { CodeLanguage } from "../executors/types.js";
import { sanitizeIdentifier } from "../tools/identifiers.js";
import { TOOL_SEARCH_NAMES, usesToolSearch, withToolSearch } from "../tools/tool-search.js";
import { DEFAULT_AGENT_NAME, DEFAULT_MAX_STEPS, NODE_EXECUTE, NODE_MODEL, NODE_ROUTE } from "./constants.js";
import { LazyIsolatedVmExecutor } from "./default-executor.js";
import { createExecuteNode } from "./nodes/execute.js";
import { createModelNode } from "./nodes/model.js";
import { createRouteNode } from "./nodes/route.js";
import { CodeActState } from "./state.js";
import type { CreateCodeActParams } from "./types.js";

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
 * START → model → route ─┬─→ execute → model
 *                        ├─→ model   (rejected code, invalid structured answer)
 *                        └─→ END     (final answer, or budget spent)
 * ```
 *
 * Parameters are validated here, with errors that say what to change.
 */
export function createCodeActGraph(params: CreateCodeActParams) {
  validateParams(params);
  // One executor for all nodes: the prompt describes the one that runs the code.
  const executor = params.executor ?? new LazyIsolatedVmExecutor();
  const resolved: CreateCodeActParams = { ...params, executor };
  return new StateGraph(CodeActState)
    .addNode(NODE_MODEL, createModelNode(resolved))
    .addNode(NODE_ROUTE, createRouteNode(resolved), {
      ends: [NODE_EXECUTE, NODE_MODEL, END],
    })
    .addNode(
      NODE_EXECUTE,
      createExecuteNode({
        ...resolved,
        // Lazy tool discovery: the code reaches the tools through the search function.
        tools: withToolSearch(params.tools ?? [], executor.language, params.lazyToolsThreshold),
      })
    )
    .addEdge(START, NODE_MODEL)
    .addEdge(NODE_MODEL, NODE_ROUTE)
    .addEdge(NODE_EXECUTE, NODE_MODEL);
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

function validateParams(params: CreateCodeActParams): void {
  const fail = (message: string): never => {
    throw new Error(`createCodeActGraph: ${message}`);
  };
  if (typeof params !== "object" || params === null) {
    fail("pass a params object: createCodeActGraph({ model, tools }).");
  }
  if (typeof params.model?.invoke !== "function") {
    fail("`model` is required: any LangChain chat model, e.g. `new ChatOpenAI({ model: \"gpt-4o-mini\" })`.");
  }
  const { maxSteps } = params;
  if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && maxSteps >= 1)) {
    fail(`\`maxSteps\` must be a whole number of at least 1, got ${String(maxSteps)}.`);
  }
  const executor = params.executor;
  let language: CodeLanguage = "javascript";
  if (executor !== undefined) {
    if (typeof executor.execute !== "function") {
      fail("`executor` must implement Executor (an object with execute() and close()).");
    }
    if (executor.language !== "javascript" && executor.language !== "python") {
      fail(`\`executor.language\` must be "javascript" or "python", got ${String(executor.language)}.`);
    }
    language = executor.language;
  }
  const threshold = params.lazyToolsThreshold;
  if (threshold !== undefined && !(Number.isInteger(threshold) && threshold >= 0)) {
    fail(`\`lazyToolsThreshold\` must be a whole number of at least 0, got ${String(threshold)}.`);
  }
  const approve = params.approve;
  if (approve !== undefined && typeof approve !== "boolean" && typeof approve !== "function") {
    fail("`approve` must be true, false, or a function (code) => boolean.");
  }
  if (params.responseFormat !== undefined && typeof params.responseFormat.safeParse !== "function") {
    fail("`responseFormat` must be a zod schema, e.g. z.object({ answer: z.string() }).");
  }
  const byIdentifier = new Map<string, string[]>();
  for (const [index, tool] of (params.tools ?? []).entries()) {
    if (typeof tool?.invoke !== "function" || typeof tool.name !== "string") {
      fail(`tools[${index}] is not a LangChain tool (make it with tool() from @langchain/core/tools).`);
    }
    const identifier = sanitizeIdentifier(tool.name, language);
    byIdentifier.set(identifier, [...(byIdentifier.get(identifier) ?? []), tool.name]);
  }
  const searchName = TOOL_SEARCH_NAMES[language];
  if (usesToolSearch(params.tools?.length ?? 0, threshold) && byIdentifier.has(searchName)) {
    fail(`a tool is called ${searchName}, the name lazy tool discovery (\`lazyToolsThreshold\`) gives its search function. Rename the tool.`);
  }
  const clashes = [...byIdentifier].filter(([, names]) => names.length > 1);
  if (clashes.length > 0) {
    const list = clashes
      .map(([identifier, names]) => `${names.map((name) => JSON.stringify(name)).join(", ")} → ${identifier}`)
      .join("; ");
    fail(`tool names must stay distinct as ${language} identifiers, but ${list}. Rename the tools.`);
  }
}
