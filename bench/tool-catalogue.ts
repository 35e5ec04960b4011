/**
 * A deterministic catalogue of realistic tools for prompt-size and
 * tool-search measurements: each tool has a domain verb and noun, a one-line
 * description and two to five typed parameters (strings, numbers, enums,
 * booleans, arrays, nested objects) with descriptions, some optional with
 * defaults, as real API wrappers have.
 */
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import { z } from "zod";

const VERBS = ["get", "list", "create", "update", "delete", "search", "summarize", "export"] as const;
const NOUNS = [
  "invoice", "customer", "order", "shipment", "ticket", "calendar_event", "weather_forecast",
  "stock_quote", "flight", "hotel_booking", "repository", "pull_request", "document", "spreadsheet_row",
  "email", "contact", "product", "payment", "subscription", "support_article", "employee", "meeting_note",
  "expense_report", "inventory_item", "translation",
] as const;

function parameters(index: number, noun: string) {
  const label = noun.replace(/_/g, " ");
  const shape: Record<string, z.ZodType> = {
    [`${noun}_id`]: z.string().describe(`Identifier of the ${label}.`),
  };
  if (index % 2 === 0) {
    shape.limit = z.number().int().min(1).max(100).default(10).describe("Maximum number of results to return.");
  }
  if (index % 3 === 0) {
    shape.status = z
      .enum(["open", "pending", "closed", "archived"])
      .optional()
      .describe(`Only ${label}s in this status.`);
  }
  if (index % 4 === 1) {
    shape.tags = z.array(z.string()).optional().describe("Labels to filter or attach.");
  }
  if (index % 5 === 2) {
    shape.date_range = z
      .object({
        start: z.string().describe("ISO 8601 start date."),
        end: z.string().describe("ISO 8601 end date."),
      })
      .optional()
      .describe("Inclusive date range.");
  }
  if (index % 3 === 1) {
    shape.include_archived = z.boolean().default(false).describe("Whether archived records are included.");
  }
  return z.object(shape);
}

/** `count` distinct tools (names are unique up to 200; beyond, numbered). */
export function createToolCatalogue(count: number): StructuredToolInterface[] {
  const tools: StructuredToolInterface[] = [];
  for (let index = 0; index < count; index += 1) {
    const verb = VERBS[index % VERBS.length]!;
    const noun = NOUNS[Math.floor(index / VERBS.length) % NOUNS.length]!;
    const round = Math.floor(index / (VERBS.length * NOUNS.length));
    const name = `${verb}_${noun}${round > 0 ? `_v${round + 1}` : ""}`;
    const label = noun.replace(/_/g, " ");
    tools.push(
      tool(async (input: Record<string, unknown>) => ({ tool: name, input }), {
        name,
        description: `${verb.charAt(0).toUpperCase()}${verb.slice(1)} ${label} records in the company's ${label} service.`,
        schema: parameters(index, noun),
      })
    );
  }
  return tools;
}
