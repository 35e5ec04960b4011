import { randomUUID } from "node:crypto";
import { HumanMessage, isBaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { tool, type DynamicStructuredTool } from "@langchain/core/tools";
import { v5 as uuidv5 } from "@langchain/core/utils/uuid";
import { z } from "zod";
import { messageText } from "../shared/message-text.js";

/** Namespace of the thread ids derived for child graphs (a fixed random UUID). */
export const GRAPH_TOOL_THREAD_NAMESPACE = "3c1f6f0e-8f0a-4d1e-9a55-6f0c2b7d9e41";

/** The input a graph tool takes unless a `schema` is given. */
export const DEFAULT_GRAPH_TOOL_SCHEMA = z.object({
  task: z.string().describe("What the agent should do, in plain words, with everything it needs to know."),
});

/** Anything with `invoke`, such as a compiled LangGraph graph. */
export interface InvocableGraph {
  invoke(input: Record<string, unknown>, config?: RunnableConfig): Promise<unknown>;
}

/** What a graph tool returns when the child graph has a structured answer. */
export interface GraphToolStructuredResult {
  /** The text of the child's last message. */
  answer: string;
  /** The child's validated `structuredResponse`. */
  structuredResponse: unknown;
}

/** Options of {@link graphTool}. */
export interface GraphToolOptions<TSchema extends z.ZodObject = typeof DEFAULT_GRAPH_TOOL_SCHEMA> {
  /** Tool name: the function name code calls (`await analyst({ task })`). */
  name: string;
  /** What the agent behind the tool does, for the calling model. */
  description: string;
  /** The tool's input. @defaultValue `{ task: string }` */
  schema?: TSchema;
  /**
   * Builds the child graph's input from the tool's input.
   * @defaultValue one user message: `task` when the input has it, else the input as JSON
   */
  toGraphInput?: (input: z.infer<TSchema>) => Record<string, unknown>;
}

/**
 * Turns a compiled graph (another CodeAct agent, a ReAct agent, any graph
 * with `messages`) into a LangChain tool, so an agent's code can call it:
 * `await analyst({ task: "..." })` in JavaScript, `analyst(task="...")` in
 * Python.
 *
 * - The child runs as a child run of the tool call (the caller's callbacks
 *   are passed on), so traces nest it under the code cell that called it.
 * - It runs as its own root graph, on its own thread: the caller's
 *   `thread_id` and the tool's name give a stable UUID (v5), so a child with a
 *   checkpointer or a sandbox session keeps its state between calls from one
 *   caller thread. Without a caller thread each call gets a fresh id.
 * - It returns the text of the child's last message, or
 *   {@link GraphToolStructuredResult} when the child ended with a
 *   `structuredResponse`.
 */
export function graphTool<TSchema extends z.ZodObject = typeof DEFAULT_GRAPH_TOOL_SCHEMA>(
  graph: InvocableGraph,
  options: GraphToolOptions<TSchema>
): DynamicStructuredTool {
  const schema = options.schema ?? DEFAULT_GRAPH_TOOL_SCHEMA;
  const toGraphInput =
    options.toGraphInput ??
    ((input: Record<string, unknown>) => ({
      messages: [
        new HumanMessage(typeof input["task"] === "string" ? input["task"] : JSON.stringify(input)),
      ],
    }));

  return tool(
    async (input: Record<string, unknown>, config?: RunnableConfig) => {
      const childConfig = childRunConfig(options.name, config);
      // Run the child as a root graph: the ambient config is the caller's
      // node, whose internal keys (checkpointer, stream, scratchpad) would
      // otherwise make LangGraph treat the child as the node's subgraph.
      const state = await AsyncLocalStorageProviderSingleton.runWithConfig(
        childConfig,
        () => graph.invoke(toGraphInput(input as z.infer<TSchema>), childConfig),
        true
      );
      return graphToolResult(state);
    },
    {
      name: options.name,
      description: options.description,
      schema,
    }
  ) as DynamicStructuredTool;
}

/** The child's config: the caller's callbacks and signal, its own thread. */
function childRunConfig(name: string, config: RunnableConfig | undefined): RunnableConfig {
  const callerThread: unknown = config?.configurable?.["thread_id"];
  const threadId =
    typeof callerThread === "string" || typeof callerThread === "number"
      ? uuidv5(`${String(callerThread)}/${name}`, GRAPH_TOOL_THREAD_NAMESPACE)
      : randomUUID();
  // Settings in `configurable` (model, limits) are the user's and pass on;
  // LangGraph's own keys (checkpoint position, internals) do not.
  const configurable: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config?.configurable ?? {})) {
    if (key.startsWith("__") || key.startsWith("checkpoint_") || key === "thread_id") continue;
    if (key === "run_id" || key === "graph_id" || key === "assistant_id") continue;
    configurable[key] = value;
  }
  configurable["thread_id"] = threadId;
  return {
    configurable,
    ...(config?.callbacks !== undefined && { callbacks: config.callbacks }),
    ...(config?.signal !== undefined && { signal: config.signal }),
  };
}

function graphToolResult(state: unknown): string | GraphToolStructuredResult {
  const record = typeof state === "object" && state !== null ? (state as Record<string, unknown>) : {};
  const messages = Array.isArray(record["messages"]) ? (record["messages"] as unknown[]) : [];
  const last = messages.at(-1);
  const answer = isBaseMessage(last) ? messageText(last.content) : "";
  const structured = record["structuredResponse"];
  return structured === undefined || structured === null
    ? answer
    : { answer, structuredResponse: structured };
}
