import { randomUUID } from "node:crypto";
import { isBaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import {
  ToolInputParsingException,
  type StructuredToolInterface,
} from "@langchain/core/tools";
import type { CodeLanguage, HostFunction } from "../executors/types.js";
import { toolIdentifiers } from "./identifiers.js";
import {
  isRecord,
  orderedParameters,
  schemaProperties,
  toolSchemaToJsonSchema,
  type JsonSchema,
} from "./json-schema.js";
import { bindArguments } from "../executors/tool-arguments.js";
import { describeInvalidInput } from "./invalid-input.js";
import { checkOutput, isMcpTool, mcpValue } from "./tool-results.js";
import { directCaller, USE_INVOKE } from "./direct-call.js";
import { somethingListens } from "../shared/has-callbacks.js";

export { toolSchemaToJsonSchema, type JsonSchema } from "./json-schema.js";

/** Options of {@link createToolFunctions}. */
export interface CreateToolFunctionsOptions {
  /** The sandbox's language: decides the identifiers and positional order. */
  language: CodeLanguage;
  /**
   * The config of the run the code executes in (the `execute` node's), so
   * each tool run nests under it in traces and sees its callbacks, signal
   * and `configurable`. A function is read at each call: a cell paused for
   * an approval continues under the run that resumed it.
   */
  config?: RunnableConfig | (() => RunnableConfig | undefined);
  /**
   * Sees every call once its input is built: may run it (`invoke`), answer
   * it without running it, or hold it (an approval). Without one, calls run.
   */
  gate?: ToolCallGate;
}

/** Decides how each tool call of a cell runs; see {@link CreateToolFunctionsOptions.gate}. */
export interface ToolCallGate {
  /**
   * One call: `input` is the tool's input object as the code passed it;
   * `invoke` runs the tool with an input and returns the value the code
   * receives (or throws the error it sees).
   */
  call(tool: StructuredToolInterface, input: unknown, invoke: (input: unknown) => Promise<unknown>): Promise<unknown>;
}

/**
 * What a tool declared with `responseFormat: "content_and_artifact"` returns
 * to code: both halves, because code (unlike a chat model) can use the
 * artifact's raw data.
 */
export interface ContentAndArtifact {
  content: unknown;
  artifact: unknown;
}

/**
 * Turns LangChain tools into host functions for an executor, keyed by the
 * identifier the code calls (see {@link toolIdentifiers}).
 *
 * Each function takes the tool's input object (`await search({ query: "x" })`);
 * for convenience positional values map onto the input's fields in the order
 * of `parameters` (required fields first, then optional ones, each in schema
 * order), and a trailing plain object that is not itself a field's value
 * supplies the remaining fields (`await search("x", { limit: 3 })`).
 *
 * The tool runs with `tool.invoke(input, config)`, so its own schema
 * validates the input; invalid input is rethrown as
 * `search: invalid arguments: query: expected string, received number`.
 * Other tool errors are rethrown as `Error("search: <message>")`.
 *
 * Results come back as values: strings stay strings, objects stay objects; a
 * `ToolMessage` is unwrapped to its content (text blocks joined); a
 * `content_and_artifact` tool returns `{ content, artifact }`
 * ({@link ContentAndArtifact}).
 */
export function createToolFunctions(
  tools: readonly StructuredToolInterface[],
  options: CreateToolFunctionsOptions
): Record<string, HostFunction> {
  const identifiers = cachedIdentifiers(tools, options.language);
  const given = options.config;
  const fixed = typeof given === "function" || given === undefined ? undefined : withoutRunIdentity(given);
  const invokeConfig =
    typeof given === "function"
      ? () => {
          const current = given();
          return current === undefined ? undefined : withoutRunIdentity(current);
        }
      : () => fixed;
  const functions: Record<string, HostFunction> = {};
  tools.forEach((tool, index) => {
    const identifier = identifiers[index] ?? tool.name;
    functions[identifier] = createToolFunction(tool, identifier, options.language, invokeConfig, options.gate);
  });
  return functions;
}

// Keyed by the array: the execute node passes the same one for every cell.
const identifierCache = new WeakMap<object, Map<CodeLanguage, { names: string[]; key: string }>>();

function cachedIdentifiers(tools: readonly StructuredToolInterface[], language: CodeLanguage): string[] {
  const key = tools.map((tool) => tool.name).join("\u0000");
  let perLanguage = identifierCache.get(tools);
  if (perLanguage === undefined) {
    perLanguage = new Map();
    identifierCache.set(tools, perLanguage);
  }
  const cached = perLanguage.get(language);
  if (cached !== undefined && cached.key === key) return cached.names;
  const names = toolIdentifiers(tools, language);
  perLanguage.set(language, { names, key });
  return names;
}

function createToolFunction(
  tool: StructuredToolInterface,
  identifier: string,
  language: CodeLanguage,
  invokeConfig: () => RunnableConfig | undefined,
  gate: ToolCallGate | undefined
): HostFunction {
  const { schema, parameters } = preparedTool(tool, language);
  const mcp = isMcpTool(tool);
  const withArtifact = responseFormatOf(tool) === "content_and_artifact";

  const direct = mcp ? undefined : directCaller(tool);
  const invoke = async (input: unknown): Promise<unknown> => {
    let output: unknown;
    const config = invokeConfig();
    try {
      // Nothing listens: the tool's own function, after its schema (see direct-call.ts).
      output = direct !== undefined && !somethingListens(config) ? await direct(input, config) : USE_INVOKE;
      if (output === USE_INVOKE) output = await tool.invoke(
        // Only a tool call makes LangChain keep the artifact.
        withArtifact
          ? { type: "tool_call", id: randomUUID(), name: tool.name, args: input as Record<string, unknown> }
          : (input as never),
        config
      );
    } catch (error) {
      if (isInputParsingError(error)) {
        const problems = await describeInvalidInput(tool, schema, input);
        throw new Error(
          `${identifier}: invalid arguments: ${problems ?? errorMessage(error)}`,
          { cause: error }
        );
      }
      throw new Error(`${identifier}: ${errorMessage(error)}`, { cause: error });
    }
    const value = toCodeValue(identifier, output, withArtifact, mcp);
    checkOutput(tool, identifier, value);
    return value;
  };
  const call = (...args: unknown[]): Promise<unknown> => {
    let input: unknown;
    try {
      input = argumentsToInput(identifier, args, parameters, schema);
    } catch (error) {
      return Promise.reject(error);
    }
    return gate === undefined ? invoke(input) : gate.call(tool, input, invoke);
  };
  return Object.assign(call, { parameters });
}

interface PreparedTool {
  schema: JsonSchema;
  parameters: readonly string[];
}

// The execute node builds the functions for every cell (they carry the
// cell's config); the schema work is the same each time, so it is kept per
// tool: ~5 µs a tool, 1 ms a cell with 200 tools otherwise.
const prepared = new WeakMap<object, Map<CodeLanguage, PreparedTool>>();

function preparedTool(tool: StructuredToolInterface, language: CodeLanguage): PreparedTool {
  let perLanguage = prepared.get(tool);
  if (perLanguage === undefined) {
    perLanguage = new Map();
    prepared.set(tool, perLanguage);
  }
  let entry = perLanguage.get(language);
  // A tool object whose schema was replaced is prepared again.
  if (entry === undefined || preparedFor.get(entry) !== tool.schema) {
    const schema = toolSchemaToJsonSchema(tool);
    entry = { schema, parameters: Object.freeze(orderedParameters(schema, language)) };
    preparedFor.set(entry, tool.schema);
    perLanguage.set(language, entry);
  }
  return entry;
}
const preparedFor = new WeakMap<PreparedTool, unknown>();

function responseFormatOf(tool: StructuredToolInterface): unknown {
  return (tool as { responseFormat?: unknown }).responseFormat;
}

// A caller's `runId`/`runName` belong to the caller's own run: a tool run
// must get its own.
function withoutRunIdentity(config: RunnableConfig): RunnableConfig {
  const { runId: _runId, runName: _runName, ...rest } = config;
  return rest;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isObjectSchema(schema: JsonSchema | undefined): boolean {
  return (
    schema !== undefined &&
    (schema.type === "object" ||
      (Array.isArray(schema.type) && schema.type.includes("object")))
  );
}

/** Builds the tool's input from what the code passed. */
function argumentsToInput(
  identifier: string,
  args: readonly unknown[],
  parameters: readonly string[],
  schema: JsonSchema
): unknown {
  if (args.length === 0) return {};
  const properties = schemaProperties(schema);
  const [first] = args;
  if (args.length === 1) {
    // A tool whose input is not an object takes its one value as it is.
    if (!isObjectSchema(schema) && parameters.length === 0) return first;
    if (isPlainObject(first)) {
      const firstParameter = parameters[0];
      const isValueOfFirst =
        firstParameter !== undefined &&
        isObjectSchema(properties[firstParameter]) &&
        !Object.keys(first).some((key) => key in properties);
      if (!isValueOfFirst) return first;
    }
  }
  let positional = [...args];
  let keywords: Record<string, unknown> = {};
  const last = positional.at(-1);
  const lastParameter = parameters[positional.length - 1];
  if (
    positional.length > 1 &&
    isPlainObject(last) &&
    (lastParameter === undefined || !isObjectSchema(properties[lastParameter]))
  ) {
    keywords = last;
    positional = positional.slice(0, -1);
  }
  try {
    return bindArguments(parameters, positional, keywords);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`${identifier}: ${detail}${/positional/.test(detail) ? "; pass one object instead" : ""}`);
  }
}

function isInputParsingError(error: unknown): boolean {
  return (
    error instanceof ToolInputParsingException ||
    // Another copy of @langchain/core has its own class.
    (error instanceof Error &&
      error.constructor.name === "ToolInputParsingException")
  );
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** Unwraps what `tool.invoke` returned into the value code receives. */
function toCodeValue(
  identifier: string,
  output: unknown,
  withArtifact: boolean,
  mcp = false
): unknown {
  if (!isBaseMessage(output)) return output;
  const status = (output as { status?: unknown }).status;
  const content = contentValue(output.content);
  if (status === "error") {
    throw new Error(
      `${identifier}: ${typeof content === "string" ? content : JSON.stringify(content)}`
    );
  }
  if (withArtifact) {
    const artifact = (output as { artifact?: unknown }).artifact;
    if (mcp) return mcpValue(content, artifact);
    return { content, artifact } satisfies ContentAndArtifact;
  }
  return content;
}

// Text-only block lists read best as one string; other blocks stay as data.
function contentValue(content: unknown): unknown {
  if (
    Array.isArray(content) &&
    content.every(
      (block) =>
        isRecord(block) && block.type === "text" && typeof block.text === "string"
    )
  ) {
    return content.map((block) => (block as { text: string }).text).join("");
  }
  return content;
}

/**
 * What is wrong with `input` for `tool`, one `path: problem` per field, or
 * `undefined` when its schema accepts it (checked before a human is asked
 * to approve a call, and on arguments a human edited).
 */
export async function invalidToolInput(tool: StructuredToolInterface, input: unknown): Promise<string | undefined> {
  return describeInvalidInput(tool, preparedTool(tool, "javascript").schema, input);
}
