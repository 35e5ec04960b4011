/**
 * Per-assistant settings of the Studio graphs: which model, where, and the
 * agent's limits. Studio shows them as a form (the graphs declare
 * {@link AgentSettingsAnnotation} as their config schema); credentials never
 * go here, they come from the environment (`OPENAI_API_KEY`).
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import { Annotation } from "@langchain/langgraph";
import { z } from "zod";

export const DEFAULT_MODEL = "gpt-4o-mini";
export const DEFAULT_STUDIO_MAX_STEPS = 20;
/** Upper bound of `maxSteps`: the graphs' recursion limit is sized for it. */
export const MAX_STUDIO_MAX_STEPS = 50;
export const DEFAULT_CELL_TIMEOUT_MS = 30_000;
export const DEFAULT_MEMORY_LIMIT_MB = 128;

/**
 * The settings as a LangGraph annotation: only its type matters. The server's
 * schema extractor reads it from the graph's type and turns it into the
 * assistant's config form (a zod schema here would hide the state schema).
 */
export const AgentSettingsAnnotation = Annotation.Root({
  /** Chat model name, e.g. `gpt-4o-mini`. */
  model: Annotation<string | undefined>,
  /** OpenAI-compatible endpoint (Ollama, vLLM, a proxy); else `OPENAI_BASE_URL`. */
  baseUrl: Annotation<string | undefined>,
  temperature: Annotation<number | undefined>,
  /** Code executions per user turn. */
  maxSteps: Annotation<number | undefined>,
  /** Wall-clock limit of one code cell. */
  timeoutMs: Annotation<number | undefined>,
  /** Memory limit of a JavaScript sandbox. */
  memoryLimitMb: Annotation<number | undefined>,
  /** Ask a human before any code runs. */
  approve: Annotation<boolean | undefined>,
  /**
   * Tools whose calls from code wait for a human's approval (the code runs
   * until it calls one): `["convert_currency"]`.
   */
  approveToolCalls: Annotation<string[] | undefined>,
  /**
   * A JSON Schema for a structured final answer: the agent ends with JSON
   * matching it, validated into `structuredResponse` (an invalid answer goes
   * back to the model). In the team graph it applies to the analysts.
   */
  responseSchema: Annotation<Record<string, unknown> | undefined>,
  /**
   * MCP servers over Streamable HTTP whose tools the agent gets, by name:
   * `{ "docs": "http://127.0.0.1:8000/mcp" }` (the code calls `docs__<tool>`).
   * URLs only: an assistant's settings never start a process on the server.
   */
  mcpServers: Annotation<Record<string, string> | undefined>,
});

const SettingsSchema = z.object({
  model: z.string().min(1).optional(),
  baseUrl: z.string().url().optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxSteps: z.number().int().min(1).max(MAX_STUDIO_MAX_STEPS).optional(),
  timeoutMs: z.number().int().min(100).optional(),
  memoryLimitMb: z.number().int().min(8).optional(),
  approve: z.boolean().optional(),
  approveToolCalls: z.array(z.string().min(1)).optional(),
  responseSchema: z.record(z.string(), z.unknown()).optional(),
  mcpServers: z.record(z.string().regex(/^[A-Za-z][\w-]*$/), z.string().url()).optional(),
});

/** Settings with every default filled in. */
export interface AgentSettings {
  model: string;
  baseUrl: string | undefined;
  temperature: number | undefined;
  maxSteps: number;
  timeoutMs: number;
  memoryLimitMb: number;
  approve: boolean;
  approveToolCalls: string[] | undefined;
  responseSchema: Record<string, unknown> | undefined;
  mcpServers: Record<string, string> | undefined;
}

const SETTING_KEYS = Object.keys(SettingsSchema.shape);

/**
 * Reads the settings of a run: `config.configurable` (assistant config,
 * SDK `config`), overridden by `config.context` (LangGraph 1.x run context),
 * with defaults from the environment (`CODEACT_MODEL`, `OPENAI_BASE_URL`).
 *
 * @throws Error naming the invalid fields.
 */
export function readAgentSettings(config: RunnableConfig | undefined): AgentSettings {
  const sources = [config?.configurable, (config as { context?: unknown } | undefined)?.context];
  const raw: Record<string, unknown> = {};
  for (const source of sources) {
    if (typeof source !== "object" || source === null) continue;
    for (const key of SETTING_KEYS) {
      const value = (source as Record<string, unknown>)[key];
      // Studio sends empty form fields as null or "".
      if (value !== undefined && value !== null && value !== "") raw[key] = value;
    }
  }
  const parsed = SettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
      .join("; ");
    throw new Error(`Invalid CodeAct assistant settings (${issues}).`);
  }
  const settings = parsed.data;
  return {
    model: settings.model ?? process.env["CODEACT_MODEL"] ?? DEFAULT_MODEL,
    baseUrl: settings.baseUrl ?? nonEmpty(process.env["OPENAI_BASE_URL"]),
    temperature: settings.temperature,
    maxSteps: settings.maxSteps ?? DEFAULT_STUDIO_MAX_STEPS,
    timeoutMs: settings.timeoutMs ?? DEFAULT_CELL_TIMEOUT_MS,
    memoryLimitMb: settings.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB,
    approve: settings.approve ?? false,
    approveToolCalls: settings.approveToolCalls,
    responseSchema: settings.responseSchema,
    mcpServers: settings.mcpServers,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
