import type { StructuredToolInterface } from "@langchain/core/tools";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import type { CodeLanguage } from "../executors/types.js";
import { isPythonParameterName } from "./identifiers.js";

/** A JSON schema node, read loosely: every keyword is optional. */
export type JsonSchema = { [keyword: string]: unknown };

// zod 4 writes these bounds for every `.int()`: noise for a model.
const SAFE_INTEGER_BOUNDS = new Set([
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
]);

/** Keywords whose value maps names (not keywords) to schemas. */
export const SCHEMA_MAP_KEYWORDS: ReadonlySet<string> = new Set([
  "properties",
  "patternProperties",
  "$defs",
  "definitions",
  "dependentSchemas",
]);

/** Keywords whose value is data, not a schema. */
export const DATA_KEYWORDS: ReadonlySet<string> = new Set([
  "default",
  "enum",
  "const",
  "examples",
]);

const normalizedSchemas = new WeakMap<object, JsonSchema>();

/** Is `value` a non-array object? */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The JSON schema of a tool's input, whatever the tool was defined with (zod
 * 3, zod 4, a Standard JSON schema or plain JSON schema), converted with
 * `@langchain/core`'s `toJsonSchema` and tidied for a model to read:
 * `$schema` is dropped, a property with a `default` is not listed as
 * required (the model may leave it out), and zod's safe-integer bounds are
 * removed. The result is cached per schema object; do not mutate it.
 */
export function toolSchemaToJsonSchema(
  tool: Pick<StructuredToolInterface, "schema">
): JsonSchema {
  const source = tool.schema as object;
  const cached = normalizedSchemas.get(source);
  if (cached !== undefined) return cached;
  const converted = toJsonSchema(source as Parameters<typeof toJsonSchema>[0]);
  const normalized = isRecord(converted) ? normalizeSchema(converted) : {};
  delete normalized.$schema;
  normalizedSchemas.set(source, normalized);
  return normalized;
}

function normalizeSchema(schema: JsonSchema): JsonSchema {
  const result: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (DATA_KEYWORDS.has(keyword)) {
      result[keyword] = value;
      continue;
    }
    if (
      (keyword === "minimum" || keyword === "maximum") &&
      typeof value === "number" &&
      SAFE_INTEGER_BOUNDS.has(value)
    ) {
      continue;
    }
    result[keyword] = SCHEMA_MAP_KEYWORDS.has(keyword)
      ? mapValues(value, normalizeValue)
      : normalizeValue(value);
  }
  const properties = result.properties;
  if (isRecord(properties) && Array.isArray(result.required)) {
    result.required = result.required.filter(
      (name) =>
        !(isRecord(properties[name]) && "default" in properties[name])
    );
  }
  return result;
}

function normalizeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeValue);
  if (isRecord(value)) return normalizeSchema(value);
  return value;
}

/** Applies `transform` to each value of a record; other values pass through. */
export function mapValues(
  value: unknown,
  transform: (child: unknown) => unknown
): unknown {
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key, transform(child)])
  );
}

/** The `properties` of an object schema (empty when it has none). */
export function schemaProperties(schema: JsonSchema): Record<string, JsonSchema> {
  const properties = schema.properties;
  if (!isRecord(properties)) return {};
  const result: Record<string, JsonSchema> = {};
  for (const [name, property] of Object.entries(properties)) {
    result[name] = isRecord(property) ? property : {};
  }
  return result;
}

/** The names an object schema requires. */
export function requiredNames(schema: JsonSchema): Set<string> {
  return new Set(
    Array.isArray(schema.required)
      ? schema.required.filter((name): name is string => typeof name === "string")
      : []
  );
}

/**
 * The order positional arguments take: required properties first, then
 * optional ones, each in schema order. In Python only names that can be
 * parameters are listed (the others are passed as `**{"from": ...}`), so the
 * stub's signature and the executor's positional mapping agree.
 */
export function orderedParameters(
  schema: JsonSchema,
  language: CodeLanguage
): string[] {
  const names = Object.keys(schemaProperties(schema)).filter(
    (name) => language !== "python" || isPythonParameterName(name)
  );
  const required = requiredNames(schema);
  return [
    ...names.filter((name) => required.has(name)),
    ...names.filter((name) => !required.has(name)),
  ];
}
