import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import MiniSearch from "minisearch";
import { z } from "zod";
import type { CodeLanguage } from "../executors/types.js";
import { toolIdentifiers } from "./identifiers.js";
import { schemaProperties, toolSchemaToJsonSchema } from "./json-schema.js";
import { renderPythonStubs } from "./python-stubs.js";
import { renderTypeScriptDeclarations } from "./typescript-declarations.js";

/** The search function's name in each sandbox language. */
export const TOOL_SEARCH_NAMES: Readonly<Record<CodeLanguage, string>> = {
  javascript: "searchTools",
  python: "search_tools",
};

/** How many declarations one search returns unless the code asks for more. */
export const DEFAULT_TOOL_SEARCH_LIMIT = 5;
/** The most one search returns, so a vague query cannot flood the context. */
export const MAX_TOOL_SEARCH_LIMIT = 20;

/** Options of {@link createToolSearchTool}. */
export interface CreateToolSearchToolOptions {
  /** The sandbox's language: the declarations' style and the tool's name. */
  language: CodeLanguage;
  /** @defaultValue {@link DEFAULT_TOOL_SEARCH_LIMIT} */
  defaultLimit?: number;
}

interface ToolDocument {
  id: number;
  name: string;
  description: string;
  parameters: string;
}

// "getWeatherForecast" / "get_weather" → "get weather forecast": identifiers
// are searched by their words as well as whole.
function identifierWords(identifier: string): string {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_\W]+/g, " ")
    .toLowerCase();
}

function parameterText(tool: StructuredToolInterface): string {
  try {
    const properties = schemaProperties(toolSchemaToJsonSchema(tool));
    return Object.entries(properties)
      .map(([name, schema]) =>
        [identifierWords(name), typeof schema.description === "string" ? schema.description : ""].join(" ")
      )
      .join(" ");
  } catch {
    return "";
  }
}

/**
 * Creates the tool that lazy tool discovery declares in place of every tool:
 * `searchTools(query, { limit })` in JavaScript, `search_tools(query, limit)`
 * in Python. It ranks `tools` by full-text relevance (BM25 over names,
 * descriptions and parameters, with prefix and fuzzy matching) and returns
 * the declarations of the best matches, in the prompt's style, as one
 * string for the code to print; or, when nothing matches, a note listing
 * the tool names.
 *
 * The tools themselves stay callable in the sandbox under their usual
 * identifiers; this only keeps hundreds of declarations out of the prompt.
 */
export function createToolSearchTool(
  tools: readonly StructuredToolInterface[],
  options: CreateToolSearchToolOptions
): StructuredToolInterface {
  const { language } = options;
  const defaultLimit = options.defaultLimit ?? DEFAULT_TOOL_SEARCH_LIMIT;
  const identifiers = toolIdentifiers(tools, language);
  let index: MiniSearch<ToolDocument> | undefined;
  // Built on the first search: most turns never search.
  const searchIndex = (): MiniSearch<ToolDocument> => {
    if (index !== undefined) return index;
    index = new MiniSearch<ToolDocument>({
      fields: ["name", "description", "parameters"],
      searchOptions: { boost: { name: 3, description: 1, parameters: 0.5 }, prefix: true, fuzzy: 0.2 },
    });
    index.addAll(
      tools.map((candidate, position) => {
        const identifier = identifiers[position] ?? candidate.name;
        return {
          id: position,
          name: `${identifier} ${identifierWords(identifier)} ${identifierWords(candidate.name)}`,
          description: candidate.description,
          parameters: parameterText(candidate),
        };
      })
    );
    return index;
  };

  const name = TOOL_SEARCH_NAMES[language];
  return tool(
    async ({ query, limit }: { query: string; limit?: number | undefined }) => {
      const count = Math.min(MAX_TOOL_SEARCH_LIMIT, Math.max(1, Math.floor(limit ?? defaultLimit)));
      const matches = searchIndex()
        .search(query)
        .slice(0, count)
        .map((result) => tools[result.id as number])
        .filter((match): match is StructuredToolInterface => match !== undefined);
      if (matches.length === 0) {
        return `No tool matches ${JSON.stringify(query)}. The ${tools.length} tools are: ${identifiers.join(", ")}.`;
      }
      return language === "python"
        ? renderPythonStubs(matches)
        : renderTypeScriptDeclarations(matches);
    },
    {
      name,
      description:
        "Finds tools by what they do. Returns the declarations (signature and documentation) of the best matches, best first, as text: print it, then call the tools it declares.",
      schema: z.object({
        query: z.string().describe("Words describing the task, e.g. \"weather forecast for a city\"."),
        limit: z
          .number()
          .int()
          .positive()
          .optional()
          .describe(`How many tools to return: at most ${MAX_TOOL_SEARCH_LIMIT}, default ${defaultLimit}.`),
      }),
    }
  );
}

/**
 * Whether lazy tool discovery applies: more tools than `lazyToolsThreshold`
 * (never when the threshold is not set).
 */
export function usesToolSearch(toolCount: number, lazyToolsThreshold: number | undefined): boolean {
  return lazyToolsThreshold !== undefined && toolCount > lazyToolsThreshold;
}

/**
 * The tools the executor gets: `tools`, plus the search function when lazy
 * tool discovery applies (see {@link usesToolSearch}).
 */
export function withToolSearch(
  tools: readonly StructuredToolInterface[],
  language: CodeLanguage,
  lazyToolsThreshold: number | undefined
): StructuredToolInterface[] {
  return usesToolSearch(tools.length, lazyToolsThreshold)
    ? [...tools, createToolSearchTool(tools, { language })]
    : [...tools];
}
