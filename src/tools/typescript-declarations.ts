import type { StructuredToolInterface } from "@langchain/core/tools";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import type { Options } from "json-schema-to-typescript";
import { toolIdentifiers } from "./identifiers.js";
import {
  DATA_KEYWORDS,
  isRecord,
  mapValues,
  requiredNames,
  SCHEMA_MAP_KEYWORDS,
  schemaProperties,
  toolSchemaToJsonSchema,
  type JsonSchema,
} from "./json-schema.js";

const INDENT = "  ";

const COMPILE_OPTIONS: Partial<Options> = {
  bannerComment: "",
  format: false,
  additionalProperties: false,
  declareExternallyReferenced: true,
  strictIndexSignatures: false,
  unknownAny: false,
  ignoreMinAndMaxItems: true,
  // Tool schemas are self-contained: never read files or the network for a $ref.
  $refOptions: { resolve: { file: false, http: false } },
};

// Loaded on first use: it pulls in prettier (~70 ms, ~7 MB), which Python-only
// and tool-less agents never need.
let compiler: Promise<typeof import("json-schema-to-typescript")> | undefined;

function loadCompiler(): Promise<typeof import("json-schema-to-typescript")> {
  compiler ??= import("json-schema-to-typescript");
  return compiler;
}

// Rendering goes through json-schema-to-typescript's async pipeline (a few
// ms a tool); the prompt is rebuilt every turn, so keep each tool's block.
const cache = new WeakMap<object, Map<string, Promise<string>>>();

/**
 * Renders TypeScript declarations of the tools as the JavaScript sandbox
 * exposes them, for the system prompt: per tool, an input interface with
 * per-field JSDoc (descriptions, `@default`), then a JSDoc'd
 * `declare function name(args: NameInput): Promise<...>`.
 *
 * Names are the identifiers of {@link toolIdentifiers}. The return type is
 * `Promise<any>` unless the tool has an `outputSchema` (a zod or JSON schema
 * property on the tool object), or `Promise<{ content: any; artifact: any }>`
 * for `content_and_artifact` tools. Output is deterministic and cached per
 * tool object.
 */
export async function renderTypeScriptDeclarations(
  tools: readonly StructuredToolInterface[]
): Promise<string> {
  const identifiers = toolIdentifiers(tools, "javascript");
  const typeNames = new Set<string>();
  const blocks = tools.map((tool, index) => {
    const identifier = identifiers[index] ?? tool.name;
    const typeName = uniqueTypeName(identifier, typeNames);
    return cachedDeclaration(tool, identifier, typeName);
  });
  return (await Promise.all(blocks)).join("\n\n");
}

function cachedDeclaration(
  tool: StructuredToolInterface,
  identifier: string,
  typeName: string
): Promise<string> {
  let perTool = cache.get(tool);
  if (perTool === undefined) {
    perTool = new Map();
    cache.set(tool, perTool);
  }
  const key = `${identifier}\u0000${typeName}`;
  let rendered = perTool.get(key);
  if (rendered === undefined) {
    rendered = renderDeclaration(tool, identifier, typeName);
    // A failed render must not stick: the next prompt retries.
    rendered.catch(() => perTool.delete(key));
    perTool.set(key, rendered);
  }
  return rendered;
}

function uniqueTypeName(identifier: string, taken: Set<string>): string {
  const pascal = identifier
    .split("_")
    .filter((part) => part !== "")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
  const base = `${/^[A-Za-z]/.test(pascal) ? pascal : `Tool${pascal}`}Input`;
  let name = base;
  for (let suffix = 2; taken.has(name); suffix += 1) name = `${base}${suffix}`;
  taken.add(name);
  return name;
}

async function renderDeclaration(
  tool: StructuredToolInterface,
  identifier: string,
  typeName: string
): Promise<string> {
  const schema = toolSchemaToJsonSchema(tool);
  const lines: string[] = [];
  let parameter: string;
  const isObject = schema.type === "object" || "properties" in schema;
  if (isObject && Object.keys(schemaProperties(schema)).length === 0) {
    parameter = "args?: {}";
  } else {
    lines.push(await compileType(schema, typeName));
    const optional = isObject && requiredNames(schema).size === 0 ? "?" : "";
    parameter = `${isObject ? "args" : "input"}${optional}: ${typeName}`;
  }
  lines.push(functionJsDoc(tool.description));
  const returns = await returnType(tool, typeName);
  lines.push(`declare function ${identifier}(${parameter}): Promise<${returns}>;`);
  return lines.filter((line) => line !== "").join("\n");
}

async function returnType(
  tool: StructuredToolInterface,
  typeName: string
): Promise<string> {
  const { outputSchema, responseFormat } = tool as {
    outputSchema?: unknown;
    responseFormat?: unknown;
  };
  if (responseFormat === "content_and_artifact") {
    return "{ content: any; artifact: any }";
  }
  if (outputSchema === undefined || outputSchema === null) return "any";
  const converted = toJsonSchema(outputSchema as Parameters<typeof toJsonSchema>[0]);
  if (!isRecord(converted)) return "any";
  const outputName = typeName.replace(/Input$/, "Output");
  const compiled = await compileType(converted, outputName);
  // An inline object type reads better in a signature than a second interface.
  return compiled
    .replace(new RegExp(`^(interface ${outputName} |type ${outputName} = )`), "")
    .replace(/;$/, "");
}

async function compileType(schema: JsonSchema, name: string): Promise<string> {
  const prepared = prepareSchema(schema, true) as JsonSchema;
  const { compile } = await loadCompiler();
  const compiled = await compile(prepared as never, name, COMPILE_OPTIONS);
  const tidy = compiled
    .replace(/^export /gm, "")
    // One-line comments as one line: shorter for the model to read.
    .replace(/\/\*\*\n\s*\* ([^\n]*)\n\s*\*\//g, "/** $1 */")
    .trim();
  return reindent(tidy);
}

/**
 * Readies a schema for the compiler: titles below the top are dropped (so
 * nested objects are written inline rather than as interfaces whose names
 * could clash between tools), and defaults are shown in the JSDoc.
 */
function prepareSchema(value: unknown, isTop: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => prepareSchema(item, false));
  if (!isRecord(value)) return value;
  const result: JsonSchema = {};
  for (const [keyword, child] of Object.entries(value)) {
    if (keyword === "title" || keyword === "$schema") continue;
    // Data, not schemas: keep as is.
    if (DATA_KEYWORDS.has(keyword)) {
      result[keyword] = child;
      continue;
    }
    result[keyword] = SCHEMA_MAP_KEYWORDS.has(keyword)
      ? mapValues(child, (schema) => prepareSchema(schema, false))
      : prepareSchema(child, false);
  }
  if ("default" in value && !isTop) {
    const shown = `@default ${JSON.stringify(value.default)}`;
    result.description =
      typeof result.description === "string" && result.description !== ""
        ? `${result.description}\n${shown}`
        : shown;
  }
  return result;
}

function functionJsDoc(description: string): string {
  const text = description.trim();
  if (text === "") return "";
  const lines = text.replace(/\*\//g, "*\\/").split(/\r?\n/);
  if (lines.length === 1) return `/** ${lines[0]} */`;
  return ["/**", ...lines.map((line) => ` * ${line}`.trimEnd()), " */"].join("\n");
}

// `format: false` skips prettier (slow, and not needed for a model) but
// leaves nested members flush left: indent by brace depth.
function reindent(code: string): string {
  let depth = 0;
  return code
    .split("\n")
    .map((raw) => {
      const line = raw.trim();
      if (/^[}\]]/.test(line)) depth = Math.max(0, depth - 1);
      const isJsDocBody = line.startsWith("*");
      const indented =
        line === "" ? "" : INDENT.repeat(depth) + (isJsDocBody ? " " : "") + line;
      if (/[{[]$/.test(line)) depth += 1;
      return indented;
    })
    .join("\n");
}
