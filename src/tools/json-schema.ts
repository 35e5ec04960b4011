import type { StructuredToolInterface } from "@langchain/core/tools";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import type { CodeLanguage } from "../executors/types.js";
import { isPythonParameterName } from "./identifiers.js";
import { isRecord } from "../shared/is-record.js";

/** A JSON schema node, read loosely: every keyword is optional. */
export type JsonSchema = { [keyword: string]: unknown };

// zod 4 writes these bounds for every `.int()`: noise for a model.
const SAFE_INTEGER_BOUNDS = new Set([
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
]);

/** Keywords whose value maps names (not keywords) to schemas. */
const SCHEMA_MAP_KEYWORDS: ReadonlySet<string> = new Set([
  "properties",
  "patternProperties",
  "$defs",
  "definitions",
  "dependentSchemas",
]);

/** Keywords whose value is data, not a schema. */
const DATA_KEYWORDS: ReadonlySet<string> = new Set([
  "default",
  "enum",
  "const",
  "examples",
]);

const normalizedSchemas = new WeakMap<object, JsonSchema>();

export { isRecord } from "../shared/is-record.js";

/**
 * The JSON schema of what a tool returns, from the `outputSchema` (zod or
 * JSON Schema) set on the tool object; undefined without one.
 */
export function toolOutputSchema(tool: StructuredToolInterface): JsonSchema | undefined {
  const { outputSchema: source } = tool as { outputSchema?: unknown };
  if (source === undefined || source === null) return undefined;
  const converted = toJsonSchema(source as Parameters<typeof toJsonSchema>[0]);
  return isRecord(converted) ? converted : undefined;
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
function mapValues(
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

/**
 * Line terminators of JavaScript (LF, CR, U+2028, U+2029) and Python (LF,
 * CR): a comment must not contain one, or the rest of the line becomes code.
 */
export const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/;

const LINE_BREAK_WITH_SPACE = new RegExp(`\\s*(?:${LINE_BREAK.source})\\s*`, "g");

/** `text` on one line: line breaks and the whitespace around them become one space. */
export function singleLine(text: string): string {
  return text.replace(LINE_BREAK_WITH_SPACE, " ");
}

/** One comment line per line of `text`, each after `marker` (`"// "`, `"# "`); none for blank text. */
export function commentLines(text: string, marker: string): string[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  return trimmed.split(LINE_BREAK).map((line) => `${marker}${line}`.trimEnd());
}

/** The schema a local `$ref` (`#/$defs/Node`, a JSON Pointer) points to in `root`, if any. */
export function resolveLocalRef(root: JsonSchema, reference: string): JsonSchema | undefined {
  if (!reference.startsWith("#")) return undefined;
  let target: unknown = root;
  for (const segment of reference.replace(/^#\/?/, "").split("/")) {
    if (segment === "") continue;
    if (!isRecord(target)) return undefined;
    target = target[segment.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return isRecord(target) ? target : undefined;
}

/**
 * A comment's text: the description, then the notes (constraints), with a
 * period between them when the description ends without punctuation.
 */
export function describeWithNotes(description: string, notes: readonly string[]): string {
  const text = description.trim();
  const tail = notes.filter((note) => note !== "").join(" ");
  if (tail === "") return text;
  if (text === "") return tail;
  return `${text}${/[.!?:;]$/.test(text) ? "" : "."} ${tail}`;
}

/** What {@link constraintNotes} writes besides the schema's constraints. */
export interface ConstraintNoteOptions {
  /** Write `int` for integers (TypeScript has only `number`). */
  integer?: boolean;
  /** Write `default <value>` (when the signature does not show it). */
  defaults?: boolean;
}

/**
 * The constraints a JSON schema node carries beyond its type, written
 * tersely for a one-line comment: `int 1..100`, `>0`, `1..50 chars`,
 * `non-empty`, `format email`, `pattern /^[A-Z]{3}$/`, `<=5 items`,
 * `unique`, `default 10`, `e.g. "Paris"`, `deprecated`. Array item
 * constraints come as `each ...`; scalar union variants share one list.
 */
export function constraintNotes(
  schema: JsonSchema,
  options: ConstraintNoteOptions = {}
): string[] {
  const notes: string[] = [];
  const variants = ["anyOf", "oneOf"].flatMap((keyword) => {
    const value = schema[keyword];
    return Array.isArray(value) ? value.filter(isRecord) : [];
  });
  // `T | null` and scalar unions: the variants' constraints are the field's.
  for (const variant of variants) {
    if (variant.type === "object" || "properties" in variant) continue;
    notes.push(...constraintNotes(variant, { ...options, defaults: false }));
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const range = bounds(
    schema.minimum,
    schema.maximum,
    schema.exclusiveMinimum,
    schema.exclusiveMaximum
  );
  if (options.integer === true && types.includes("integer")) {
    notes.push(range === undefined ? "int" : `int ${range}`);
  } else if (range !== undefined) {
    notes.push(range);
  }
  if (typeof schema.multipleOf === "number") {
    notes.push(`multiple of ${schema.multipleOf}`);
  }
  const length = bounds(schema.minLength, schema.maxLength);
  if (length !== undefined) notes.push(length === ">=1" ? "non-empty" : `${length} chars`);
  if (typeof schema.format === "string") notes.push(`format ${schema.format}`);
  if (typeof schema.pattern === "string") {
    notes.push(`pattern /${schema.pattern.replace(/\n/g, "\\n")}/`);
  }
  for (const keyword of ["contentEncoding", "contentMediaType"]) {
    const value = schema[keyword];
    if (typeof value === "string") notes.push(`${keyword} ${value}`);
  }
  const items = bounds(schema.minItems, schema.maxItems);
  if (items !== undefined) notes.push(items === ">=1" ? "non-empty" : `${items} items`);
  if (schema.uniqueItems === true) notes.push("unique");
  const keys = bounds(schema.minProperties, schema.maxProperties);
  if (keys !== undefined) notes.push(`${keys} keys`);
  if (isRecord(schema.items)) {
    const itemNotes = constraintNotes(schema.items, { ...options, defaults: false });
    if (itemNotes.length > 0) notes.push(`each ${itemNotes.join(" ")}`);
  }
  if (options.defaults === true && "default" in schema) {
    notes.push(`default ${JSON.stringify(schema.default) ?? "undefined"}`);
  }
  if (Array.isArray(schema.examples) && schema.examples.length > 0) {
    notes.push(`e.g. ${schema.examples.map((value) => JSON.stringify(value)).join(", ")}`);
  }
  if (schema.deprecated === true) notes.push("deprecated");
  return [...new Set(notes)];
}

// `1..100`, `3` (exactly), `>=1`, `>0 <=100`; draft 4's boolean exclusive bounds included.
function bounds(
  minimum: unknown,
  maximum: unknown,
  exclusiveMinimum?: unknown,
  exclusiveMaximum?: unknown
): string | undefined {
  const low =
    typeof exclusiveMinimum === "number"
      ? `>${exclusiveMinimum}`
      : typeof minimum === "number"
        ? `${exclusiveMinimum === true ? ">" : ">="}${minimum}`
        : undefined;
  const high =
    typeof exclusiveMaximum === "number"
      ? `<${exclusiveMaximum}`
      : typeof maximum === "number"
        ? `${exclusiveMaximum === true ? "<" : "<="}${maximum}`
        : undefined;
  if (low?.startsWith(">=") === true && high?.startsWith("<=") === true) {
    const [from, to] = [low.slice(2), high.slice(2)];
    return from === to ? from : `${from}..${to}`;
  }
  const parts = [low, high].filter((part) => part !== undefined);
  return parts.length === 0 ? undefined : parts.join(" ");
}
