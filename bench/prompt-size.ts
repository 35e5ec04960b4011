/**
 * Goal 5, prompt size: tokens of the tools as the CodeAct prompt shows them
 * (TypeScript declarations, Python stubs, or lazy discovery's search
 * function) against the same tools as the OpenAI `tools` payload of a
 * tool-calling agent, counted with a real tokenizer (js-tiktoken's bundled
 * ranks, no download).
 */
import type { StructuredToolInterface } from "@langchain/core/tools";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { Tiktoken } from "js-tiktoken/lite";
import o200kBase from "js-tiktoken/ranks/o200k_base";
import { buildSystemPrompt } from "../src/prompts/index.js";
import { createToolSearchTool } from "../src/tools/tool-search.js";
import { renderPythonStubs } from "../src/tools/python-stubs.js";
import { renderTypeScriptDeclarations } from "../src/tools/typescript-declarations.js";
import { figure, type BenchFigure } from "./stats.js";
import { createToolCatalogue } from "./tool-catalogue.js";

const GROUP = "prompt size (o200k_base)";
export const DECLARATION_RATIO_GOAL = 0.5;
export const PROMPT_SIZE_FULL = { toolCounts: [10, 50, 200] };
export const PROMPT_SIZE_QUICK = { toolCounts: [10] };

let encoder: Tiktoken | undefined;

/** Tokens of `text` with the o200k_base encoding (GPT-4o and later). */
export function countTokens(text: string): number {
  encoder ??= new Tiktoken(o200kBase);
  return encoder.encode(text).length;
}

/**
 * The `tools` array a tool-calling request sends, as JSON: what ChatOpenAI
 * puts in the request body, `$schema` included (zod 4 schemas carry it;
 * about 17 tokens a tool, so the ratios against a payload without it are
 * about 15% higher).
 */
export function openAiToolsPayload(tools: readonly StructuredToolInterface[]): string {
  return JSON.stringify(tools.map((tool) => convertToOpenAITool(tool)));
}

export async function runPromptSize(options: { toolCounts: readonly number[] }): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  for (const count of options.toolCounts) {
    const tools = createToolCatalogue(count);
    const baseline = { name: "OpenAI tools JSON", value: countTokens(openAiToolsPayload(tools)) };
    const typescript = countTokens(await renderTypeScriptDeclarations(tools));
    const python = countTokens(renderPythonStubs(tools));
    figures.push(
      figure({
        group: GROUP,
        name: `${count} tools as TypeScript declarations`,
        value: typescript,
        unit: "tokens",
        baseline,
        goal: { of: "ratio", max: DECLARATION_RATIO_GOAL },
      }),
      figure({
        group: GROUP,
        name: `${count} tools as Python stubs`,
        value: python,
        unit: "tokens",
        baseline,
        goal: { of: "ratio", max: DECLARATION_RATIO_GOAL },
      })
    );
    const common = { language: "javascript", tools, maxSteps: 20 } as const;
    const declared = countTokens(await buildSystemPrompt(common));
    const searched = countTokens(await buildSystemPrompt({ ...common, toolDiscovery: "search" }));
    figures.push(
      figure({
        group: GROUP,
        name: `${count} tools, whole JavaScript system prompt`,
        value: declared,
        unit: "tokens",
        baseline,
      }),
      figure({
        group: GROUP,
        name: `${count} tools, JavaScript prompt with searchTools only`,
        value: searched,
        unit: "tokens",
        baseline: { name: "prompt declaring all", value: declared },
      })
    );
    if (count === options.toolCounts.at(-1)) {
      const search = createToolSearchTool(tools, { language: "javascript" });
      const result = String(await search.invoke({ query: "weather forecast" }));
      figures.push(
        figure({
          group: GROUP,
          name: `one searchTools result (5 declarations of ${count})`,
          value: countTokens(result),
          unit: "tokens",
        })
      );
    }
  }
  return figures;
}
