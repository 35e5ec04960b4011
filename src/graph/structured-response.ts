import type { ZodType } from "zod";
import { formatSchemaIssues } from "../shared/zod-issues.js";

/** The outcome of reading a structured final answer. */
export type StructuredAnswer =
  | { success: true; value: unknown }
  | { success: false; problem: string };

const JSON_FENCE = /```(?:json|JSON)?[ \t]*\r?\n([\s\S]*?)```/g;

/**
 * Finds JSON in a final answer and validates it with `schema`. Tries, in
 * order: fenced blocks (```json or bare, the last one first), the whole
 * text, and the span from the first `{`/`[` to the last `}`/`]`.
 */
export function parseStructuredAnswer(text: string, schema: ZodType): StructuredAnswer {
  const candidates = [...text.matchAll(JSON_FENCE)]
    .map((match) => match[1] ?? "")
    .reverse();
  candidates.push(text);
  const start = text.search(/[{[]/);
  const end = Math.max(text.lastIndexOf("}"), text.lastIndexOf("]"));
  if (start !== -1 && end > start) candidates.push(text.slice(start, end + 1));

  for (const candidate of candidates) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    const result = schema.safeParse(value);
    if (result.success) return { success: true, value: result.data };
    const issues = formatSchemaIssues(result.error.issues, value);
    return { success: false, problem: `The JSON does not match the schema: ${issues}.` };
  }
  return { success: false, problem: "No JSON was found in your answer." };
}
