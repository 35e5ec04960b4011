import type { StructuredToolInterface } from "@langchain/core/tools";
import type { CodeLanguage } from "../executors/types.js";
import { renderPythonStubs } from "../tools/python-stubs.js";
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
}

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
    const declarations =
      language === "python"
        ? `\`\`\`python\n${renderPythonStubs(tools)}\n\`\`\``
        : `\`\`\`typescript\n${await renderTypeScriptDeclarations(tools)}\n\`\`\``;
    sections.push(`## Tools\nThese functions are defined in the sandbox:\n${declarations}`);
  }
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
