/**
 * A CodeAct agent whose model and limits are chosen per run from the
 * assistant's settings (see ./settings.ts), so one Studio graph serves many
 * assistants. Each node looks up (and caches) the agent's nodes built by
 * `createCodeActNodes` for the run's settings — the same resolution,
 * validation and lazy tool discovery as `createCodeActGraph` — wired with
 * the same edges.
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { END, START, StateGraph, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { z, type ZodType } from "zod";
import {
  CodeActState,
  createCodeActNodes,
  untracedEdge,
  defaultRecursionLimit,
  NODE_EXECUTE,
  NODE_MODEL,
  NODE_ROUTE,
  type CodeActNodes,
  type CodeActStateType,
  type CreateCodeActParams,
} from "../src/index.js";
import type { CodeLanguage } from "../src/executors/types.js";
import { loadMcpTools } from "../src/tools/mcp.js";
import { chatModelFor, executorFor } from "./runtime.js";
import {
  AgentSettingsAnnotation,
  MAX_STUDIO_MAX_STEPS,
  readAgentSettings,
  type AgentSettings,
} from "./settings.js";

export interface ConfigurableCodeActOptions {
  /** Graph name: the assistant's graph in Studio, the worker's name under a supervisor. */
  name: string;
  description: string;
  language: CodeLanguage;
  tools?: StructuredToolInterface[];
  /** Extra instructions for the system prompt. */
  prompt?: string;
}

/** Builds the compiled agent (no checkpointer: the server brings one). */
export function createConfigurableCodeActAgent(options: ConfigurableCodeActOptions) {
  // Per settings, built once; with MCP servers the build waits for their tool lists.
  const cache = new Map<string, Promise<CodeActNodes>>();
  const nodesFor = (config: RunnableConfig): Promise<CodeActNodes> => {
    const settings: AgentSettings = readAgentSettings(config);
    const key = JSON.stringify(settings);
    let nodes = cache.get(key);
    if (nodes === undefined) {
      nodes = buildNodes(options, settings);
      cache.set(key, nodes);
      // A server that could not be reached is tried again by the next run.
      nodes.catch(() => cache.delete(key));
    }
    return nodes;
  };

  return new StateGraph(CodeActState, AgentSettingsAnnotation)
    .addNode(NODE_MODEL, async (state: CodeActStateType, config: LangGraphRunnableConfig) =>
      (await nodesFor(config)).model(state, config)
    )
    .addNode(
      NODE_ROUTE,
      async (state: CodeActStateType, config: LangGraphRunnableConfig) => (await nodesFor(config)).route(state, config),
      { ends: [NODE_EXECUTE, NODE_MODEL, END] }
    )
    .addNode(NODE_EXECUTE, async (state: CodeActStateType, config: LangGraphRunnableConfig) =>
      (await nodesFor(config)).execute(state, config)
    )
    .addEdge(START, NODE_MODEL)
    .addConditionalEdges(
      NODE_MODEL,
      untracedEdge(async (state: CodeActStateType, config?: RunnableConfig) => (await nodesFor(config ?? {})).afterModel(state)),
      [NODE_ROUTE, END]
    )
    // Through `route` when a tool call waits for approval (the approveToolCalls setting), else to `model`.
    .addConditionalEdges(
      NODE_EXECUTE,
      untracedEdge(async (state: CodeActStateType, config?: RunnableConfig) => (await nodesFor(config ?? {})).afterExecute(state)),
      [NODE_MODEL, NODE_ROUTE]
    )
    .compile({ name: options.name, description: options.description })
    .withConfig({ recursionLimit: defaultRecursionLimit(MAX_STUDIO_MAX_STEPS) });
}

async function buildNodes(options: ConfigurableCodeActOptions, settings: AgentSettings): Promise<CodeActNodes> {
  const servers = Object.entries(settings.mcpServers ?? {});
  const mcpTools =
    servers.length === 0
      ? []
      : (await loadMcpTools(Object.fromEntries(servers.map(([name, url]) => [name, { url }])))).tools;
  const params: CreateCodeActParams = {
    model: chatModelFor(settings),
    executor: executorFor(options.language, settings),
    tools: [...(options.tools ?? []), ...mcpTools],
    maxSteps: settings.maxSteps,
    approve: settings.approve,
    ...(settings.approveToolCalls !== undefined && settings.approveToolCalls.length > 0 && { approveToolCalls: settings.approveToolCalls }),
    ...(settings.responseSchema !== undefined && {
      responseFormat: responseFormatFrom(settings.responseSchema),
    }),
    ...(options.prompt !== undefined && { prompt: options.prompt }),
  };
  return createCodeActNodes(params, options.name);
}

/**
 * The `responseSchema` setting (JSON Schema, as assistants' settings are
 * JSON) as the zod schema `responseFormat` takes.
 *
 * @throws Error when it is not a JSON Schema zod can read.
 */
export function responseFormatFrom(jsonSchema: Record<string, unknown>): ZodType {
  try {
    return z.fromJSONSchema(jsonSchema);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Invalid CodeAct assistant settings (responseSchema: not a usable JSON Schema: ${reason}).`);
  }
}
