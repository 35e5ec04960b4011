import type { StructuredToolInterface } from "@langchain/core/tools";
import type { CodeLanguage } from "../executors/types.js";
import { renderPythonStubs } from "../tools/python-stubs.js";
import { toolIdentifiers } from "../tools/identifiers.js";
import { createToolSearchTool, TOOL_SEARCH_NAMES } from "../tools/tool-search.js";
import { renderTypeScriptDeclarations } from "../tools/typescript-declarations.js";
import { javascriptInstructions } from "./javascript.js";
import { pythonInstructions } from "./python.js";

export { javascriptInstructions } from "./javascript.js";
export { pythonInstructions } from "./python.js";
export type { InstructionOptions } from "./shared.js";

/** Options of {@link buildSystemPrompt}. */
export interface BuildSystemPromptOptions {
  /** The executor's language: selects the instructions and declaration style. */
  language: CodeLanguage;
  /** The tools callable from code, declared in the prompt. */
  tools: readonly StructuredToolInterface[];
  /** The executor's own description (what the sandbox offers, its limits). */
  executorDescription?: string;
  /** The user's extra instructions, appended last. */
  prompt?: string;
  /** Code executions allowed per user turn. */
  maxSteps: number;
  /** When set, the final answer must be JSON matching this schema. */
  responseFormat?: { jsonSchema: object };
  /**
   * How the tools are shown: `"declare"` writes every tool's declaration;
   * `"search"` writes only the declaration of the search function (see
   * `createToolSearchTool`, which must then be among the executor's tools)
   * and the tools' names, so the prompt stays small with hundreds of tools.
   * @defaultValue `"declare"`
   */
  toolDiscovery?: ToolDiscovery;
  /**
   * Tool calls that wait for a person's approval: the names of those tools
   * (as the code calls them), or `"some"` when a rule decides per call.
   */
  approvedToolCalls?: readonly string[] | "some";
}

/** How the system prompt presents the tools; see {@link BuildSystemPromptOptions.toolDiscovery}. */
export type ToolDiscovery = "declare" | "search";

/**
 * Builds the CodeAct system prompt: how to act with one fenced code block
 * and how to finish with plain text, the limits, the tools as TypeScript
 * declarations (JavaScript) or Python stubs, the executor's description, the
 * final-answer JSON schema when `responseFormat` is set, and the user's
 * `prompt` last. Deterministic for the same inputs.
 */
export async function buildSystemPrompt(options: BuildSystemPromptOptions): Promise<string> {
  const { language, tools, maxSteps } = options;
  const hasTools = tools.length > 0;
  const sections: string[] = [
    language === "python"
      ? pythonInstructions({ maxSteps, hasTools })
      : javascriptInstructions({ maxSteps, hasTools }),
  ];
  if (hasTools) {
    sections.push(
      options.toolDiscovery === "search"
        ? await toolSearchSection(tools, language)
        : `## Tools\nThese functions are defined in the sandbox. ${DECLARATION_NOTES[language]}\n${await declarationBlock(tools, language)}`
    );
  }
  const gated = options.approvedToolCalls;
  if (hasTools && gated !== undefined && gated.length > 0) sections.push(approvalSection(gated, language));
  const executorDescription = options.executorDescription?.trim();
  if (executorDescription) sections.push(`## Sandbox\n${executorDescription}`);
  if (options.responseFormat !== undefined) {
    sections.push(
      "## Final answer format\n" +
        "Give the final answer as one JSON object matching this JSON schema, in a ```json block, " +
        "with no other code block in that reply:\n" +
        `\`\`\`json\n${JSON.stringify(options.responseFormat.jsonSchema)}\n\`\`\``
    );
  }
  const prompt = options.prompt?.trim();
  if (prompt) sections.push(prompt);
  return sections.join("\n\n");
}

/**
 * How to read the declarations, said once so each one can stay terse: the
 * comment conventions of `renderTypeScriptDeclarations` / `renderPythonStubs`.
 */
const DECLARATION_NOTES: Readonly<Record<CodeLanguage, string>> = {
  javascript:
    "The comment after a field is its description, then its constraints (`1..100` is a range, `default 10` applies when the field is left out).",
  python:
    "The comment after a parameter is its description, then its constraints (`1..100` is a range); `= None` means optional.",
};

async function declarationBlock(
  tools: readonly StructuredToolInterface[],
  language: CodeLanguage
): Promise<string> {
  return language === "python"
    ? `\`\`\`python\n${renderPythonStubs(tools)}\n\`\`\``
    : `\`\`\`typescript\n${await renderTypeScriptDeclarations(tools)}\n\`\`\``;
}

async function toolSearchSection(
  tools: readonly StructuredToolInterface[],
  language: CodeLanguage
): Promise<string> {
  const search = TOOL_SEARCH_NAMES[language];
  const example =
    language === "python"
      ? `print(${search}("weather forecast"))`
      : `console.log(await ${search}("weather forecast"));`;
  const names = toolIdentifiers(tools, language).join(", ");
  return [
    "## Tools",
    `${tools.length} tools are defined in the sandbox but not declared here. Find the ones you need with \`${search}\` and print their declarations (\`${example}\`), then call them in your next code block:`,
    await declarationBlock([createToolSearchTool([], { language })], language),
    `Tool names: ${names}.`,
    `In the declarations: ${lowerFirst(DECLARATION_NOTES[language])}`,
  ].join("\n");
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Tells the model which calls wait for a person and how a refusal reaches its code. */
function approvalSection(gated: readonly string[] | "some", language: CodeLanguage): string {
  const which = gated === "some" ? "Some tool calls" : `Calls to ${gated.join(", ")}`;
  const handling =
    language === "python"
      ? "a refused call raises `ToolRejectedError` (catch it with `except ToolRejectedError as error:`)"
      : "a refused call throws a `ToolRejectedError` (catch it and check `error instanceof ToolRejectedError`)";
  return `## Approval\n${which} wait for a person to approve them before they run; ${handling}, whose message gives the reason. Handle a refusal instead of retrying the same call.`;
}
