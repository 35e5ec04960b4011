import { execFileSync } from "node:child_process";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { z as z3 } from "zod/v3";
import { createToolCatalogue } from "../../bench/tool-catalogue.js";
import { pythonLiteral, pythonType, renderPythonStubs } from "../../src/tools/python-stubs.js";

const Address = z
  .object({ street: z.string(), city: z.string().describe("City name") })
  .meta({ title: "Address" });

const search = tool(async () => "", {
  name: "web-search",
  description: "Search the web.\nReturns ranked hits.",
  schema: z.object({
    limit: z.number().int().min(1).default(10).describe("Max results"),
    query: z.string().describe("The search query"),
    mode: z.enum(["fast", "deep"]).optional().describe("Search mode"),
    filters: z
      .object({
        year: z.number().int().optional().describe("Publication year"),
        tags: z.array(z.string()).default([]),
      })
      .optional()
      .describe("Narrow the results"),
    title: z.string().nullable(),
    home: Address,
    points: z.array(z.object({ x: z.number(), y: z.number() })),
  }),
});

const v3Tool = tool(async () => "", {
  name: "print",
  description: 'Print a """quoted""" value \\ here.',
  schema: z3.object({ value: z3.string().describe("What to print"), copies: z3.number().int().optional() }),
});

const jsonTool = tool(async () => "", {
  name: "lookup",
  description: "Look up a record.",
  schema: {
    type: "object",
    properties: {
      from: { type: "string", description: "Start date" },
      id: { type: "string", description: "Record id" },
      verbose: { type: "boolean", default: false },
    },
    required: ["id", "from"],
  },
});

const ping = tool(async () => "pong", { name: "ping", description: "Ping.", schema: z.object({}) });

// Every constraint keyword the renderer shows, as a plain JSON schema.
const constrained = tool(async () => "", {
  name: "book_room",
  description: "Book a room.",
  schema: {
    type: "object",
    properties: {
      guests: { type: "integer", minimum: 1, maximum: 8, description: "People staying" },
      email: { type: "string", format: "email", pattern: "@corp\\.com$" },
      nights: { type: "array", items: { type: "integer", maximum: 30 }, maxItems: 4, uniqueItems: true },
      city: { type: "string", examples: ["Paris"], minLength: 2 },
      note: { type: "string", description: "First line.\nSecond line.\rThird \u2028 line." },
      window: { type: "array", prefixItems: [{ type: "string" }, { type: "integer" }] },
      "odd\nkey": { type: "string", description: "Line\rbreaks" },
    },
    required: ["guests"],
  },
});

function parsesAsPython(code: string): void {
  // Real CPython's parser: the stubs must be valid code, not just look like it.
  execFileSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], { input: code });
}

/** The names `def`ined at the top level, as CPython's parser sees them. */
function definedNames(code: string): string[] {
  const script = "import ast, sys; print(' '.join(n.name for n in ast.parse(sys.stdin.read()).body if isinstance(n, ast.FunctionDef)))";
  return execFileSync("python3", ["-c", script], { input: code, encoding: "utf8" }).trim().split(" ");
}

describe("renderPythonStubs", () => {
  it("renders commented signatures with required parameters first", () => {
    const out = renderPythonStubs([search, v3Tool, jsonTool, ping]);
    expect(() => parsesAsPython(out)).not.toThrow();
    expect(out.startsWith("from typing import Any, Literal\n\n")).toBe(true);
    for (const text of [
      "# Search the web.\n# Returns ranked hits.\ndef web_search(\n",
      " query: str, # The search query\n",
      " title: str | None,\n",
      " home: dict, # Keys:\n # street (str)\n # city (str): City name\n",
      " points: list[dict], # Item keys:\n # x (float)\n # y (float)\n",
      " limit: int = 10, # Max results. >=1\n",
      ' mode: Literal["fast","deep"] = None, # Search mode\n',
      " filters: dict = None # Narrow the results. Keys:\n" +
        " # year (int, optional): Publication year\n # tags (list[str], optional, default [])\n): ...",
      '# Print a """quoted""" value \\ here.\ndef print_(\n value: str, # What to print\n copies: int = None\n): ...',
      "def lookup(\n id: str, # Record id\n verbose: bool = False,\n" +
        ' **kwargs: Any # pass by keyword: lookup(**{"from": ...}). Keys:\n # from (str): Start date\n): ...',
      "# Ping.\ndef ping(): ...",
    ]) {
      expect(out).toContain(text);
    }
    expect(definedNames(out)).toEqual(["web_search", "print_", "lookup", "ping"]);
  });

  it("shows every constraint in the comments, never breaking a comment's line", () => {
    const out = renderPythonStubs([constrained]);
    expect(() => parsesAsPython(out)).not.toThrow();
    for (const text of [
      " guests: int, # People staying. 1..8\n",
      " email: str = None, # format email pattern /@corp\\.com$/\n",
      " nights: list[int] = None, # <=4 items unique each <=30\n",
      ' city: str = None, # >=2 chars e.g. "Paris"\n',
      " note: str = None, # First line. Second line. Third line.\n",
      " window: tuple[str, int] = None,\n",
      ' **kwargs: Any # pass by keyword: book_room(**{"odd\\nkey": ...}). Keys:\n # "odd\\nkey" (str, optional): Line breaks\n): ...',
    ]) {
      expect(out).toContain(text);
    }
    expect(definedNames(out)).toEqual(["book_room"]);
  });

  it("returns an empty string for no tools", () => {
    expect(renderPythonStubs([])).toBe("");
  });

  it("keeps a signature without comments on one line, with no typing import it does not use", () => {
    const plain = tool(async () => "", {
      name: "add",
      description: "Add.",
      schema: z.object({ a: z.number(), b: z.number().default(1) }),
    });
    expect(renderPythonStubs([plain])).toBe("# Add.\ndef add(a: float, b: float = 1): ...");
  });

  it("types results of output schemas and content_and_artifact tools", () => {
    const typed = Object.assign(
      tool(async () => "", { name: "weather", description: "Weather.", schema: z.object({ city: z.string() }) }),
      { outputSchema: z.object({ celsius: z.number().describe("Temperature") }) }
    );
    const artifact = tool(async () => ["", null], {
      name: "rows",
      description: "Rows.",
      schema: z.object({ n: z.number() }),
      responseFormat: "content_and_artifact",
    });
    const out = renderPythonStubs([typed, artifact]);
    expect(() => parsesAsPython(out)).not.toThrow();
    expect(out).toContain("# Weather.\n# Returns a dict with keys:\n#  celsius (float): Temperature\ndef weather(city: str) -> dict: ...");
    expect(out).toContain('# Returns {"content": ..., "artifact": ...}: the text and the raw data.\ndef rows(n: float) -> dict[str, Any]: ...');
  });

  it("parses for the 200-tool catalogue", () => {
    const out = renderPythonStubs(createToolCatalogue(200));
    expect(() => parsesAsPython(out)).not.toThrow();
    expect(definedNames(out)).toHaveLength(200);
  });
});

describe("pythonType", () => {
  it.each([
    [{ type: "string" }, "str"],
    [{ type: "integer" }, "int"],
    [{ type: "number" }, "float"],
    [{ type: "boolean" }, "bool"],
    [{ type: "array", items: { type: "integer" } }, "list[int]"],
    [{ type: "array" }, "list"],
    [{ type: "array", prefixItems: [{ type: "string" }, { type: "number" }] }, "tuple[str, float]"],
    [{ type: "object", additionalProperties: { type: "string" } }, "dict[str, str]"],
    [{ type: "object", properties: { a: { type: "string" } } }, "dict"],
    [{ enum: ["a", "b"] }, 'Literal["a","b"]'],
    [{ enum: [1, null] }, "Literal[1] | None"],
    [{ const: true }, "Literal[True]"],
    [{ type: ["string", "null"] }, "str | None"],
    [{ anyOf: [{ type: "string" }, { type: "integer" }] }, "str | int"],
    [{ anyOf: [{ type: "string" }, { type: "integer" }, { type: "null" }] }, "str | int | None"],
    [{}, "Any"],
    [{ $ref: "#/$defs/Node", $defs: { Node: { type: "array", items: { $ref: "#/$defs/Node" } } } }, "list[Any]"],
  ] as const)("%j → %s", (schema, expected) => {
    expect(pythonType(schema as Record<string, unknown>)).toBe(expected);
  });
});

describe("pythonLiteral", () => {
  it.each([
    [null, "None"],
    [true, "True"],
    [3.5, "3.5"],
    ['a "b"\n', '"a \\"b\\"\\n"'],
    [{ k: [1, false] }, '{"k": [1, False]}'],
  ] as const)("%j → %s", (value, expected) => {
    expect(pythonLiteral(value)).toBe(expected);
  });
});
