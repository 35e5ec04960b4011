import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import ts from "typescript";
import { z } from "zod";
import { z as z3 } from "zod/v3";
import { createToolCatalogue } from "../../bench/tool-catalogue.js";
import {
  INT_TYPE_ALIAS,
  renderTypeScriptDeclarations,
} from "../../src/tools/typescript-declarations.js";

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

// Every constraint keyword the renderer shows, as a plain JSON schema.
const constrained = tool(async () => "", {
  name: "book_room",
  description: "Book a room.",
  schema: {
    type: "object",
    properties: {
      guests: { type: "integer", minimum: 1, maximum: 8, description: "People staying" },
      price: { type: "number", exclusiveMinimum: 0, multipleOf: 0.01 },
      email: { type: "string", format: "email", description: "Where the confirmation goes" },
      code: { type: "string", pattern: "^[A-Z]{3}$", minLength: 3, maxLength: 3 },
      nights: { type: "array", items: { type: "integer", maximum: 30 }, minItems: 1, maxItems: 4, uniqueItems: true },
      city: { type: "string", examples: ["Paris", "Oslo"] },
      ids: { type: "array", items: { type: "string", format: "uuid", minLength: 1 }, minItems: 1 },
      legacy_rate: { type: "string", deprecated: true },
      "room-type": { enum: ["single", "double", null] },
      meta: { type: "object", additionalProperties: { type: "number" }, maxProperties: 5 },
      extra: { type: "object", properties: { id: { type: "string" } }, additionalProperties: { type: "integer" } },
      window: { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }] },
      note: { type: "string", description: "First line.\nSecond line." },
      trick: { type: "string", description: "ends here\u2028injected();" },
    },
    required: ["guests", "email"],
  },
});

const recursive = tool(async () => "", {
  name: "save_tree",
  description: "Save a tree.",
  schema: {
    type: "object",
    properties: { root: { $ref: "#/$defs/Node" } },
    required: ["root"],
    $defs: {
      Node: {
        type: "object",
        properties: { label: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/Node" } } },
        required: ["label"],
      },
    },
  },
});

const ping = tool(async () => "pong", { name: "ping", description: "Ping.", schema: z.object({}) });

function syntaxErrors(code: string): string[] {
  const { diagnostics = [] } = ts.transpileModule(code, { reportDiagnostics: true });
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

// The standard library's parsed files, shared by every check (parsing them is most of the time).
const libraryFiles = new Map<string, ts.SourceFile | undefined>();

/**
 * Type-checks `declarations` as a strict `.d.ts`, plus `usage` (a script
 * calling the tools) against it, with the real compiler; returns the errors.
 */
function typeErrors(declarations: string, usage = ""): string[] {
  const files = new Map([
    ["/tools.d.ts", declarations],
    ["/usage.ts", usage],
  ]);
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  host.fileExists = (name) => files.has(name) || ts.sys.fileExists(name);
  host.getSourceFile = (name, version) => {
    const text = files.get(name);
    if (text !== undefined) return ts.createSourceFile(name, text, version);
    if (!libraryFiles.has(name)) libraryFiles.set(name, getSourceFile(name, version));
    return libraryFiles.get(name);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map(
    (d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`
  );
}

describe("renderTypeScriptDeclarations", () => {
  it("writes the argument type inline with one-line comments", async () => {
    const out = await renderTypeScriptDeclarations([search, v3Tool, jsonTool, ping]);
    expect(typeErrors(out)).toEqual([]);
    expect(out.startsWith(`${INT_TYPE_ALIAS}\n\n`)).toBe(true);
    for (const text of [
      "// Search the web.\n// Returns ranked hits.\ndeclare function web_search(args:{\n",
      " query:string // The search query\n",
      " limit?:int // Max results. >=1 default 10\n",
      ' mode?:"fast"|"deep"\n',
      " filters?:{ // Narrow the results\n  year?:int // Publication year\n  tags:string[]\n }\n",
      " title:string | null\n",
      " home:{\n  street:string\n  city:string // City name\n }\n",
      " points:{\n  x:number\n  y:number\n }[]\n}): Promise<unknown>",
      "// Join two values.\ndeclare function concat(args:{\n a:string // First\n b?:number\n}): Promise<unknown>",
      "  hard?:boolean // default false\n",
      "declare function delete_(args:{",
      "// Ping.\ndeclare function ping(args?:{}): Promise<unknown>",
    ]) {
      expect(out).toContain(text);
    }
    // Nested titled schemas are inlined, never named (names could clash between tools).
    expect(out).not.toMatch(/interface|Address|^export /m);
  });

  it("shows every constraint the JSON schema carries, and stays valid", async () => {
    const out = await renderTypeScriptDeclarations([constrained]);
    expect(typeErrors(out)).toEqual([]);
    for (const text of [
      " guests:int // People staying. 1..8\n",
      " email:string // Where the confirmation goes. format email\n",
      " price?:number // >0 multiple of 0.01\n",
      " code?:string // 3 chars pattern /^[A-Z]{3}$/\n",
      " nights?:int[] // 1..4 items unique each <=30\n",
      ' city?:string // e.g. "Paris", "Oslo"\n',
      " ids?:string[] // non-empty each non-empty format uuid\n",
      " legacy_rate?:string // deprecated\n",
      ' "room-type"?:"single"|"double"|null\n',
      " meta?:Record<string, number> // <=5 keys\n",
      " window?:[string, int]\n",
      " extra?:{\n  id?:string\n } & Record<string, int>\n",
      " // First line.\n // Second line.\n note?:string\n",
      // U+2028 ends a line in JavaScript: never inside a comment.
      " // ends here\n // injected();\n trick?:string\n",
    ]) {
      expect(out).toContain(text);
    }
  });

  it("names a recursive type once and refers to it", async () => {
    const out = await renderTypeScriptDeclarations([recursive]);
    expect(out).toContain("type SaveTreeNode = {\n label:string\n children?:SaveTreeNode[]\n};");
    expect(out).toContain("declare function save_tree(args:{\n root:SaveTreeNode\n}): Promise<unknown>");
    expect(typeErrors(out)).toEqual([]);
  });

  it("marks the argument optional when no field is required", async () => {
    const optional = tool(async () => "", {
      name: "list_items",
      description: "List.",
      schema: z.object({ page: z.number().optional() }),
    });
    const out = await renderTypeScriptDeclarations([optional]);
    expect(out).toContain("declare function list_items(args?:{\n page?:number\n}): Promise<unknown>");
    expect(out).not.toContain(INT_TYPE_ALIAS);
  });

  it("types results from an output schema and content_and_artifact tools", async () => {
    const typed = Object.assign(
      tool(async () => "", { name: "weather", description: "Weather.", schema: z.object({ city: z.string() }) }),
      { outputSchema: z.object({ celsius: z.number().describe("Temperature"), summary: z.string() }) }
    );
    const artifact = tool(async () => ["", null], {
      name: "rows",
      description: "Rows.",
      schema: z.object({ n: z.number() }),
      responseFormat: "content_and_artifact",
    });
    const out = await renderTypeScriptDeclarations([typed, artifact]);
    expect(typeErrors(out)).toEqual([]);
    expect(out).toContain(
      "declare function weather(args:{\n city:string\n}): Promise<{\n celsius:number // Temperature\n summary:string\n}>"
    );
    expect(out).toContain("declare function rows(args:{\n n:number\n}): Promise<{ content: any; artifact: any }>");
  });

  it("deduplicates function names", async () => {
    const a = tool(async () => "", { name: "web-search", description: "A.", schema: z.object({ q: z.string() }) });
    const out = await renderTypeScriptDeclarations([search, a]);
    expect(out).toContain("declare function web_search(args:{");
    expect(out).toContain("declare function web_search_2(args:{");
    expect(typeErrors(out)).toEqual([]);
  });

  it("compiles the 200-tool catalogue as a .d.ts that types calls (real TypeScript compiler)", async () => {
    const out = await renderTypeScriptDeclarations(createToolCatalogue(200));
    expect(out.match(/^declare function /gm)).toHaveLength(200);
    const usage = [
      'get_invoice({ invoice_id: "i-1", limit: 5, status: "open" }).then((value) => value);',
      'create_invoice({ invoice_id: "i-2", date_range: { start: "2024-01-01", end: "2024-01-31" } });',
      "// @ts-expect-error the id is required",
      "get_invoice({ limit: 5 });",
      "// @ts-expect-error not one of the statuses",
      'get_invoice({ invoice_id: "i-1", status: "lost" });',
      "// @ts-expect-error a nested object's keys are checked",
      'create_invoice({ invoice_id: "i-2", date_range: { start: "2024-01-01" } });',
      "export {};",
    ].join("\n");
    expect(typeErrors(out, usage)).toEqual([]);
    expect(syntaxErrors(out)).toEqual([]);
  });

  it("is deterministic and cached for many tools", async () => {
    const tools: StructuredToolInterface[] = Array.from({ length: 200 }, (_, index) =>
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
    console.log(`200 tools: cold ${coldMs.toFixed(1)} ms, cached ${warmMs.toFixed(1)} ms, ${first.length} chars`);
  });
});
