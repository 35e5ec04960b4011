import { execFileSync } from "node:child_process";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { z as z3 } from "zod/v3";
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

function parsesAsPython(code: string): void {
  // Real CPython's parser: the stubs must be valid code, not just look like it.
  execFileSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], { input: code });
}

describe("renderPythonStubs", () => {
  it("renders typed signatures with required parameters first and docstrings", () => {
    const out = renderPythonStubs([search, v3Tool, jsonTool, ping]);
    expect(() => parsesAsPython(out)).not.toThrow();
    expect(out.startsWith("from typing import Any, Literal, Optional\n\n")).toBe(true);
    for (const line of [
      "def web_search(\n    query: str,\n    title: Optional[str],\n    home: dict[str, Any],\n" +
        "    points: list[dict[str, Any]],\n    limit: int = 10,\n" +
        '    mode: Optional[Literal["fast", "deep"]] = None,\n' +
        "    filters: Optional[dict[str, Any]] = None,\n) -> Any:",
      '    """Search the web.\n    Returns ranked hits.\n\n    Args:',
      "        query: The search query.",
      "        limit: Max results.",
      "        mode: Search mode.",
      "        filters: Narrow the results. A dict with keys:",
      "            year (int, optional): Publication year.",
      "            tags (list[str], optional, default [])",
      "        home: A dict with keys:\n            street (str)\n            city (str): City name.",
      "        points: Each item is a dict with keys:\n            x (float)\n            y (float)",
      "def print_(value: str, copies: Optional[int] = None) -> Any:",
      '    """Print a \\"\\"\\"quoted\\"\\"\\" value \\\\ here.',
      "def lookup(id: str, verbose: bool = False, **kwargs: Any) -> Any:",
      "        from: Start date.",
      '    Pass "from" by keyword: lookup(**{"from": ...}).',
      'def ping() -> Any:\n    """Ping."""',
    ]) {
      expect(out).toContain(line);
    }
    // Undescribed plain arguments add nothing to the signature.
    expect(out).not.toMatch(/^ {8}title/m);
  });

  it("returns an empty string for no tools", () => {
    expect(renderPythonStubs([])).toBe("");
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
    expect(out).toContain("def weather(city: str) -> dict[str, Any]:");
    expect(out).toContain("    Returns:\n        A dict with keys:\n            celsius (float): Temperature.");
    expect(out).toContain("def rows(n: float) -> dict[str, Any]:");
    expect(out).toContain('        A dict {"content": ..., "artifact": ...}');
  });
});

describe("pythonType", () => {
  it.each([
    [{ type: "string" }, "str"],
    [{ type: "integer" }, "int"],
    [{ type: "number" }, "float"],
    [{ type: "boolean" }, "bool"],
    [{ type: "array", items: { type: "integer" } }, "list[int]"],
    [{ type: "array" }, "list[Any]"],
    [{ type: "object", additionalProperties: { type: "string" } }, "dict[str, str]"],
    [{ type: "object", properties: { a: { type: "string" } } }, "dict[str, Any]"],
    [{ enum: ["a", "b"] }, 'Literal["a", "b"]'],
    [{ enum: [1, null] }, "Optional[Literal[1]]"],
    [{ const: true }, "Literal[True]"],
    [{ type: ["string", "null"] }, "Optional[str]"],
    [{ anyOf: [{ type: "string" }, { type: "integer" }] }, "str | int"],
    [{ anyOf: [{ type: "string" }, { type: "integer" }, { type: "null" }] }, "Optional[str | int]"],
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
