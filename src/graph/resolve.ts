/**
 * The one resolution step every node shares: from the params a user passes
 * (to `createCodeActGraph` or to the node factories by hand) to what the
 * nodes act on — the executor (exactly one default per params object), its
 * language, the tools as the code sees them (the search function included
 * when lazy discovery applies), the system prompt and the limits. Nodes never
 * decide these on their own, so hand-wired nodes and the factory agree.
 */
import { SystemMessage } from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import type { ZodType } from "zod";
import type { CodeLanguage, Executor } from "../executors/types.js";
import { buildSystemPrompt, type ToolDiscovery } from "../prompts/index.js";
import { sanitizeIdentifier } from "../tools/identifiers.js";
import { TOOL_SEARCH_NAMES, usesToolSearch, withToolSearch } from "../tools/tool-search.js";
import { DEFAULT_MAX_STEPS, MAX_FORMAT_RETRIES } from "./constants.js";
import { defaultExecutor, executorDescription } from "./default-executor.js";
import type { ApprovalPolicy, CreateCodeActParams } from "./types.js";
import { toolIdentifiers } from "../tools/identifiers.js";
import type { ToolApprovalPolicy } from "./tool-approval/types.js";
import { readReply, type NamedTool, type ReplyReading } from "./reply-format.js";
import { resolveContextWindow, type ResolvedContextWindow } from "./context-window.js";

/** Everything the nodes of one agent share; see {@link resolveCodeAct}. */
export interface ResolvedCodeAct {
  /** The params as given, for what only one node reads (the model). */
  readonly params: Readonly<Partial<CreateCodeActParams>>;
  /** Runs the code: the one passed, or the agent's one default. */
  readonly executor: Executor;
  readonly language: CodeLanguage;
  /** The tools the code can call: the user's, plus the search function with lazy discovery. */
  readonly codeTools: readonly StructuredToolInterface[];
  /** Whether the prompt declares every tool or only the search function. */
  readonly toolDiscovery: ToolDiscovery;
  readonly maxSteps: number;
  /** True when the code needs a human's approval before it runs. */
  readonly needsApproval: (code: string) => boolean;
  /** Which tool calls made by code wait for a human; undefined when none can. */
  readonly needsToolApproval: ((tool: StructuredToolInterface, args: unknown) => boolean) | undefined;
  readonly responseFormat: ZodType | undefined;
  readonly includeImagesInObservation: boolean;
  /** Consecutive unreadable replies after which a thread switches to tool calls; undefined: never. */
  readonly toolCallingFallback: number | undefined;
  /** How older observations are shortened in prompts; undefined sends them whole. */
  readonly contextWindow: ResolvedContextWindow | undefined;
  /** Reads a reply's text as code, an answer or a format error (see reply-format.ts), with this agent's tools. */
  readReply(text: string): ReplyReading;
  /** The system message, rendered on first use and kept (a failed render is retried). */
  systemMessage(): Promise<SystemMessage>;
}

const RESOLVED = Symbol("codeact.resolved");
type Branded = ResolvedCodeAct & { readonly [RESOLVED]: true };

// One resolution per params object: nodes built by hand from the same object
// share the executor and the prompt, as the factory's nodes do.
const resolutions = new WeakMap<object, Branded>();

/**
 * Resolves `params` once (the same object gives the same resolution) and
 * validates them, with errors that say what to change. `caller` names the
 * function in those errors.
 */
export function resolveCodeAct(
  params: Partial<CreateCodeActParams> | ResolvedCodeAct,
  caller = "createCodeActGraph"
): ResolvedCodeAct {
  if (isResolved(params)) return params;
  // A params object already resolved was validated then: nodes built from it share that resolution.
  const known = resolutions.get(params);
  if (known !== undefined) return known;
  const given: Partial<CreateCodeActParams> = params;
  validateParams(given, caller);
  const executor = given.executor ?? defaultExecutor();
  const language = executor.language;
  const tools = given.tools ?? [];
  const toolDiscovery: ToolDiscovery = usesToolSearch(tools.length, given.lazyToolsThreshold) ? "search" : "declare";
  const maxSteps = given.maxSteps ?? DEFAULT_MAX_STEPS;
  const codeTools = withToolSearch(tools, language, given.lazyToolsThreshold);
  let systemMessage: Promise<SystemMessage> | undefined;
  const resolved: Branded = {
    [RESOLVED]: true,
    params: given,
    executor,
    language,
    codeTools,
    toolDiscovery,
    maxSteps,
    needsApproval: approvalPredicate(given.approve),
    needsToolApproval: toolApprovalPredicate(given.approveToolCalls, tools, language),
    responseFormat: given.responseFormat,
    includeImagesInObservation: given.includeImagesInObservation ?? false,
    toolCallingFallback: given.toolCallingFallback,
    contextWindow: resolveContextWindow(given.contextWindow, (message) => {
      throw new Error(`${caller}: ${message}`);
    }),
    readReply: replyReader(codeTools, language, given.responseFormat !== undefined),
    systemMessage() {
      systemMessage ??= renderSystemMessage(given, executor, toolDiscovery, maxSteps);
      systemMessage.catch(() => {
        // A tool whose schema cannot be converted fails the render; try again next call.
        systemMessage = undefined;
      });
      return systemMessage;
    },
  };
  resolutions.set(params, resolved);
  return resolved;
}

function isResolved(value: object): value is ResolvedCodeAct {
  return (value as Partial<Branded>)[RESOLVED] === true;
}

async function renderSystemMessage(
  params: Partial<CreateCodeActParams>,
  executor: Executor,
  toolDiscovery: ToolDiscovery,
  maxSteps: number
): Promise<SystemMessage> {
  const description = await executorDescription(executor);
  const text = await buildSystemPrompt({
    language: executor.language,
    tools: params.tools ?? [],
    maxSteps,
    toolDiscovery,
    ...(description !== undefined && { executorDescription: description }),
    ...(params.prompt !== undefined && { prompt: params.prompt }),
    ...(params.approveToolCalls !== undefined && { approvedToolCalls: approvedNames(params.approveToolCalls, params.tools ?? [], executor.language) }),
    ...(params.responseFormat !== undefined && {
      responseFormat: { jsonSchema: toJsonSchema(params.responseFormat) as object },
    }),
  });
  return new SystemMessage(text);
}

function approvalPredicate(approve: ApprovalPolicy | undefined): (code: string) => boolean {
  if (typeof approve === "function") return approve;
  return () => approve === true;
}

/** The gated tools as the code calls them, for the prompt ("some" for a predicate). */
function approvedNames(policy: ToolApprovalPolicy, tools: readonly StructuredToolInterface[], language: CodeLanguage): readonly string[] | "some" {
  if (typeof policy === "function") return "some";
  return namedGatedTools(policy, tools, language).map(({ identifier }) => identifier);
}

/** The tools a list of names gates, matched as given or as the code spells them (validated in validateParams). */
function namedGatedTools(
  policy: readonly string[],
  tools: readonly StructuredToolInterface[],
  language: CodeLanguage
): Array<{ tool: StructuredToolInterface; identifier: string }> {
  const identifiers = toolIdentifiers(tools, language);
  return tools.flatMap((tool, index) => {
    const identifier = identifiers[index] ?? tool.name;
    return policy.includes(tool.name) || policy.includes(identifier) ? [{ tool, identifier }] : [];
  });
}

function replyReader(
  tools: readonly StructuredToolInterface[],
  language: CodeLanguage,
  checkedAnswer: boolean
): (text: string) => ReplyReading {
  let named: NamedTool[] | undefined;
  // A turn reads the same reply in several places (model, the edge after it, route, execute): the last one is kept.
  let last: { text: string; reading: ReplyReading } | undefined;
  return (text) => {
    if (last?.text === text) return last.reading;
    named ??= toolIdentifiers(tools, language).map((identifier, index) => ({ identifier, name: tools[index]?.name ?? identifier }));
    const reading = readReply(text, language, named, checkedAnswer);
    last = { text, reading };
    return reading;
  };
}

function toolApprovalPredicate(
  policy: ToolApprovalPolicy | undefined,
  tools: readonly StructuredToolInterface[],
  language: CodeLanguage
): ((tool: StructuredToolInterface, args: unknown) => boolean) | undefined {
  if (policy === undefined) return undefined;
  if (typeof policy === "function") return (tool, args) => policy(tool.name, args) === true;
  const gated = new Set(namedGatedTools(policy, tools, language).map(({ tool }) => tool));
  if (gated.size === 0) return undefined;
  return (tool) => gated.has(tool);
}

function validateParams(params: Partial<CreateCodeActParams>, caller: string): void {
  const fail = (message: string): never => {
    throw new Error(`${caller}: ${message}`);
  };
  if (typeof params !== "object" || params === null) {
    fail(`pass a params object: ${caller}({ model, tools }).`);
  }
  if (params.model !== undefined && typeof params.model?.invoke !== "function") {
    fail("`model` must be a LangChain chat model, e.g. `new ChatOpenAI({ model: \"gpt-4o-mini\" })`.");
  }
  const { maxSteps } = params;
  if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && maxSteps >= 1)) {
    fail(`\`maxSteps\` must be a whole number of at least 1, got ${String(maxSteps)}.`);
  }
  const executor = params.executor;
  let language: CodeLanguage = "javascript";
  if (executor !== undefined) {
    if (typeof executor?.execute !== "function") {
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
  validateToolApproval(params, language, fail);
  const fallback = params.toolCallingFallback;
  if (fallback !== undefined) {
    if (!(Number.isInteger(fallback) && fallback >= 1 && fallback <= MAX_FORMAT_RETRIES)) {
      fail(`\`toolCallingFallback\` must be a whole number from 1 to ${MAX_FORMAT_RETRIES} (consecutive unreadable replies before switching), got ${String(fallback)}.`);
    }
    if (params.model !== undefined && typeof (params.model as { bindTools?: unknown }).bindTools !== "function") {
      fail("`toolCallingFallback` needs a chat model with tool calling (one that has bindTools).");
    }
  }
  if (params.responseFormat !== undefined && typeof params.responseFormat?.safeParse !== "function") {
    fail("`responseFormat` must be a zod schema, e.g. z.object({ answer: z.string() }).");
  }
  if (params.tools !== undefined && !Array.isArray(params.tools)) {
    fail("`tools` must be an array of LangChain tools.");
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

function validateToolApproval(params: Partial<CreateCodeActParams>, language: CodeLanguage, fail: (message: string) => never): void {
  const policy = params.approveToolCalls;
  if (policy === undefined || typeof policy === "function") return;
  if (!Array.isArray(policy) || policy.some((name) => typeof name !== "string")) {
    fail("`approveToolCalls` must be a list of tool names or a function (name, args) => boolean.");
  }
  const tools = Array.isArray(params.tools) ? params.tools : [];
  const identifiers = toolIdentifiers(tools, language);
  const known = new Set([...tools.map((tool) => tool.name), ...identifiers]);
  const unknown = policy.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    fail(
      `\`approveToolCalls\` names ${unknown.map((name) => JSON.stringify(name)).join(", ")}, which ` +
        `${unknown.length === 1 ? "is not a tool" : "are not tools"} of this agent (its tools: ${[...tools.map((tool) => tool.name)].join(", ") || "none"}).`
    );
  }
}
