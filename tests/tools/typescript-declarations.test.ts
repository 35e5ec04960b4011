// prettier (loaded by json-schema-to-typescript, never used with `format: false`)
// starts a dynamic import when loaded, which jest's CommonJS runtime refuses.
jest.mock("prettier", () => ({}));

import { tool } from "@langchain/core/tools";
import ts from "typescript";
import { z } from "zod";
import { z as z3 } from "zod/v3";
import { renderTypeScriptDeclarations } from "../../src/tools/typescript-declarations.js";

const Address = z
  .object({ street: z.string(), city: z.string().describe("City name") })
  .meta({ title: "Address" });

const search = tool(async () => "", {
  name: "web-search",
  description: "Search the web.\nReturns ranked hits.",
  schema: z.object({
    query: z.string().describe("The search query"),
    limit: z.number().int().min(1).default(10).describe("Max results"),
    mode: z.enum(["fast", "deep"]).optional(),
    filters: z
      .object({
        year: z.number().int().optional().describe("Publication year"),
        tags: z.array(z.string()),
      })
      .optional()
      .describe("Narrow the results"),
    title: z.string().nullable(),
    home: Address,
    points: z.array(z.object({ x: z.number(), y: z.number() })),
  }),
});

const v3Tool = tool(async () => "", {
  name: "concat",
  description: "Join two values.",
  schema: z3.object({ a: z3.string().describe("First"), b: z3.number().optional() }),
});

const jsonTool = tool(async () => "", {
  name: "delete",
  description: "Delete a record.",
  schema: {
    type: "object",
    properties: {
      id: { type: "string", description: "Record id" },
      options: { type: "object", properties: { hard: { type: "boolean", default: false } } },
    },
    required: ["id"],
  },
});

const ping = tool(async () => "pong", { name: "ping", description: "Ping.", schema: z.object({}) });

function syntaxErrors(code: string): string[] {
  const { diagnostics = [] } = ts.transpileModule(code, { reportDiagnostics: true });
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("renderTypeScriptDeclarations", () => {
  it("renders a JSDoc'd interface and declaration per tool", async () => {
    const out = await renderTypeScriptDeclarations([search, v3Tool, jsonTool, ping]);
    expect(syntaxErrors(out)).toEqual([]);
    for (const line of [
      "interface WebSearchInput {",
      "  /** The search query */",
      "  query: string",
      "   * Max results\n   * @default 10\n   */\n  limit?: number",
      '  mode?: ("fast" | "deep")',
      "  /** Narrow the results */\n  filters?: {",
      "    /** Publication year */\n    year?: number",
      "    tags: string[]",
      "  title: (string | null)",
      "  home: {\n    street: string\n    /** City name */\n    city: string\n  }",
      "  points: {\n    x: number\n    y: number\n  }[]",
      "/**\n * Search the web.\n * Returns ranked hits.\n */\ndeclare function web_search(args: WebSearchInput): Promise<any>;",
      "interface ConcatInput {\n  /** First */\n  a: string\n  b?: number\n}",
      "/** Join two values. */\ndeclare function concat(args: ConcatInput): Promise<any>;",
      "    /** @default false */\n    hard?: boolean",
      "declare function delete_(args: DeleteInput): Promise<any>;",
      "/** Ping. */\ndeclare function ping(args?: {}): Promise<any>;",
    ]) {
      expect(out).toContain(line);
    }
    // Nested titled schemas are inlined, never named (names could clash between tools).
    expect(out).not.toContain("interface Address");
    expect(out).not.toMatch(/^export /m);
  });

  it("marks the argument optional when no field is required", async () => {
    const optional = tool(async () => "", {
      name: "list_items",
      description: "List.",
      schema: z.object({ page: z.number().optional() }),
    });
    expect(await renderTypeScriptDeclarations([optional])).toContain(
      "declare function list_items(args?: ListItemsInput): Promise<any>;"
    );
  });

  it("types results from an output schema and content_and_artifact tools", async () => {
    const typed = Object.assign(
      tool(async () => "", { name: "weather", description: "Weather.", schema: z.object({ city: z.string() }) }),
      { outputSchema: z.object({ celsius: z.number(), summary: z.string() }) }
    );
    const artifact = tool(async () => ["", null], {
      name: "rows",
      description: "Rows.",
      schema: z.object({ n: z.number() }),
      responseFormat: "content_and_artifact",
    });
    const out = await renderTypeScriptDeclarations([typed, artifact]);
    expect(syntaxErrors(out)).toEqual([]);
    expect(out).toMatch(
      /declare function weather\(args: WeatherInput\): Promise<\{\s+celsius: number\s+summary: string\s+\}>;/
    );
    expect(out).toContain("declare function rows(args: RowsInput): Promise<{ content: any; artifact: any }>;");
  });

  it("deduplicates function and type names", async () => {
    const a = tool(async () => "", { name: "web-search", description: "A.", schema: z.object({ q: z.string() }) });
    const out = await renderTypeScriptDeclarations([search, a]);
    expect(out).toContain("declare function web_search(args: WebSearchInput)");
    expect(out).toContain("declare function web_search_2(args: WebSearch2Input)");
    expect(syntaxErrors(out)).toEqual([]);
  });

  it("is deterministic and fast for many tools", async () => {
    const tools = Array.from({ length: 200 }, (_, index) =>
      tool(async () => "", {
        name: `tool-${index}`,
        description: `Tool number ${index}.`,
        schema: z.object({
          query: z.string().describe("Query"),
          limit: z.number().default(5),
          nested: z.object({ tags: z.array(z.string()), mode: z.enum(["a", "b"]) }).optional(),
        }),
      })
    );
    let started = performance.now();
    const first = await renderTypeScriptDeclarations(tools);
    const coldMs = performance.now() - started;
    started = performance.now();
    const second = await renderTypeScriptDeclarations(tools);
    const warmMs = performance.now() - started;
    expect(second).toBe(first);
    expect(first.match(/declare function/g)).toHaveLength(200);
    console.log(`200 tools: cold ${coldMs.toFixed(0)} ms, cached ${warmMs.toFixed(1)} ms, ${first.length} chars`);
    expect(warmMs).toBeLessThan(coldMs);
  });
});
