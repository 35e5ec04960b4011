import type { StructuredToolInterface } from "@langchain/core/tools";
import { isMcpTool } from "./tool-results.js";
import { isPlainIdentifier, isPythonParameterName, toolIdentifiers } from "./identifiers.js";
import {
  commentLines,
  constraintNotes,
  describeWithNotes,
  isRecord,
  orderedParameters,
  requiredNames,
  resolveLocalRef,
  schemaProperties,
  singleLine,
  toolSchemaToJsonSchema,
  type JsonSchema,
  toolOutputSchema,
} from "./json-schema.js";

// One space: inside parentheses Python ignores indentation, and " name"
// is one token where "    name" is two (o200k_base).
const INDENT = " ";
/** Signatures without comments up to this long stay on one line. */
const MAX_SIGNATURE_CHARS = 88;
/** How deep nested object keys are listed. */
const MAX_DOC_DEPTH = 3;

const TYPING_NAMES = ["Any", "Literal"] as const;

/**
 * Renders Python stubs of the tools as the Python sandbox exposes them, for
 * the system prompt, compactly (a model reads every token on every turn) but
 * losing nothing the tool's JSON schema says:
 *
 * ```python
 * # Get invoice records.
 * def get_invoice(
 *  invoice_id: str, # Identifier of the invoice.
 *  limit: int = 10, # Maximum number of results. 1..100
 *  date_range: dict = None # Inclusive date range. Keys:
 *  # start (str): ISO 8601 start date.
 *  # end (str, optional): ISO 8601 end date.
 * ): ...
 * ```
 *
 * An optional parameter without a default is `x: T = None` (the `| None`
 * would cost two tokens and say nothing `= None` does not), and the last
 * parameter has no trailing comma.
 * The tool's description is a `#` comment above the `def`; each parameter's
 * trailing comment holds its description and the constraints a type hint
 * cannot say (see `constraintNotes`: ranges, lengths, formats, patterns,
 * item counts, examples); the keys of nested objects follow as comment
 * lines. Required parameters come before optional ones, in the order the
 * executor maps positional arguments (see `HostFunction.parameters`).
 * Fields whose names cannot be Python parameters (`from`, `max-results`)
 * are taken through `**kwargs` and listed under it. A `typing` import of
 * the names used comes first. The return type is written only when the tool
 * declares one (an `outputSchema`, or `content_and_artifact`).
 */
export function renderPythonStubs(tools: readonly StructuredToolInterface[]): string {
  if (tools.length === 0) return "";
  const identifiers = toolIdentifiers(tools, "python");
  const stubs = tools.map((tool, index) => renderStub(tool, identifiers[index] ?? tool.name));
  const used = TYPING_NAMES.filter((name) =>
    stubs.some((stub) => new RegExp(`\\b${name}\\b`).test(stub.replace(/#.*$/gm, "")))
  );
  return [...(used.length > 0 ? [`from typing import ${used.join(", ")}`] : []), ...stubs].join(
    "\n\n"
  );
}

interface Parameter {
  text: string;
  /** Comment lines: the first trails the parameter, the others follow it. */
  comments: string[];
}

function renderStub(tool: StructuredToolInterface, identifier: string): string {
  const schema = toolSchemaToJsonSchema(tool);
  const properties = schemaProperties(schema);
  const required = requiredNames(schema);
  const context: TypeContext = { root: schema };

  const parameters: Parameter[] = orderedParameters(schema, "python").map((name) => {
    const property = properties[name] ?? {};
    const type = pythonType(property, context);
    const text = required.has(name)
      ? `${name}: ${type}`
      : "default" in property && property.default !== null
        ? `${name}: ${type} = ${pythonLiteral(property.default)}`
        : `${name}: ${type} = None`;
    return { text, comments: fieldComments(property, context, 1) };
  });
  const keywordOnly = Object.keys(properties).filter((name) => !isPythonParameterName(name));
  if (keywordOnly.length > 0) {
    const example = JSON.stringify(keywordOnly[0] ?? "");
    parameters.push({
      text: "**kwargs: Any",
      comments: [
        `pass by keyword: ${identifier}(**{${example}: ...}). Keys:`,
        ...keywordOnly.flatMap((name) =>
          keyLines(name, properties[name] ?? {}, !required.has(name), context, 1)
        ),
      ],
    });
  }

  const returns = returnType(tool, context);
  const header = [...commentLines(tool.description, "# "), ...(returns.doc ?? []).map((line) => `# ${line}`)];
  const arrow = returns.type === undefined ? "" : ` -> ${returns.type}`;
  const oneLine = `def ${identifier}(${parameters.map((parameter) => parameter.text).join(", ")})${arrow}: ...`;
  const commented = parameters.some((parameter) => parameter.comments.length > 0);
  if (!commented && oneLine.length <= MAX_SIGNATURE_CHARS) return [...header, oneLine].join("\n");
  const lines = parameters.flatMap(({ text, comments }, index) => {
    const [first, ...rest] = comments;
    // No trailing comma after the last parameter: a token a tool.
    const comma = index < parameters.length - 1 ? "," : "";
    return [
      `${INDENT}${text}${comma}${first === undefined ? "" : ` # ${first}`}`,
      ...rest.map((line) => `${INDENT}#${line}`),
    ];
  });
  return [...header, `def ${identifier}(`, ...lines, `)${arrow}: ...`].join("\n");
}

function returnType(
  tool: StructuredToolInterface,
  context: TypeContext
): { type?: string; doc?: string[] } {
  const { responseFormat } = tool as { responseFormat?: unknown };
  if (responseFormat === "content_and_artifact" && !isMcpTool(tool)) {
    return {
      type: "dict[str, Any]",
      doc: ['Returns {"content": ..., "artifact": ...}: the text and the raw data.'],
    };
  }
  const converted = toolOutputSchema(tool);
  if (converted === undefined) return {};
  const outputContext: TypeContext = { ...context, root: converted };
  const fields = Object.entries(schemaProperties(converted)).flatMap(([name, property]) =>
    keyLines(name, property, !requiredNames(converted).has(name), outputContext, 1)
  );
  return {
    type: pythonType(converted, outputContext),
    ...(fields.length > 0 ? { doc: ["Returns a dict with keys:", ...fields] } : {}),
  };
}

/**
 * The comment of a parameter (description and constraints; its type and
 * default are in the signature), then the keys of a nested object.
 */
function fieldComments(property: JsonSchema, context: TypeContext, depth: number): string[] {
  const resolved = resolveRef(property, context);
  const nested = depth <= MAX_DOC_DEPTH ? nestedObject(resolved, context) : undefined;
  const text = describeWithNotes(describe(resolved), [
    ...constraintNotes(resolved),
    nested?.intro ?? "",
  ]);
  const lines = text === "" ? [] : [singleLine(text)];
  if (nested !== undefined) {
    const nestedRequired = requiredNames(nested.schema);
    for (const [key, child] of Object.entries(schemaProperties(nested.schema))) {
      lines.push(...keyLines(key, child, !nestedRequired.has(key), context, depth));
    }
  }
  return lines;
}

/** Comment lines for one key of a nested object: `  key (type, optional): text`. */
function keyLines(
  name: string,
  property: JsonSchema,
  isOptional: boolean,
  context: TypeContext,
  depth: number
): string[] {
  const resolved = resolveRef(property, context);
  const qualifiers = [
    pythonType(resolved, context),
    ...(isOptional ? ["optional"] : []),
    ...("default" in resolved ? [`default ${pythonLiteral(resolved.default)}`] : []),
  ];
  const [text = "", ...nested] = fieldComments(resolved, context, depth + 1);
  // A key that is not an identifier is quoted, so no line break gets into the comment.
  const key = isPlainIdentifier(name) ? name : JSON.stringify(name);
  const label = `${" ".repeat(depth)}${key} (${qualifiers.join(", ")})`;
  return [text === "" ? label : `${label}: ${text}`, ...nested];
}

function describe(schema: JsonSchema): string {
  return typeof schema.description === "string"
    ? singleLine(schema.description.trim())
    : "";
}

/** The object schema whose keys a field's comment should list, if any. */
function nestedObject(
  schema: JsonSchema,
  context: TypeContext
): { schema: JsonSchema; intro: string } | undefined {
  const hasKeys = (candidate: JsonSchema): boolean =>
    Object.keys(schemaProperties(candidate)).length > 0;
  const direct = nonNullVariant(schema, context);
  if (hasKeys(direct)) return { schema: direct, intro: "Keys:" };
  if (isRecord(direct.items)) {
    const item = nonNullVariant(resolveRef(direct.items, context), context);
    if (hasKeys(item)) return { schema: item, intro: "Item keys:" };
  }
  return undefined;
}

// `X | None` schemas list the keys of X.
function nonNullVariant(schema: JsonSchema, context: TypeContext): JsonSchema {
  const variants = unionVariants(schema);
  if (variants === undefined) return resolveRef(schema, context);
  const nonNull = variants.filter((variant) => variant.type !== "null");
  return nonNull.length === 1 && nonNull[0] !== undefined
    ? resolveRef(nonNull[0], context)
    : schema;
}

interface TypeContext {
  /** The schema `$ref`s point into. */
  root: JsonSchema;
  /** `$ref`s being expanded, to stop at recursion. */
  expanding?: ReadonlySet<string>;
}

function resolveRef(schema: JsonSchema, context: TypeContext): JsonSchema {
  const reference = schema.$ref;
  if (typeof reference !== "string" || !reference.startsWith("#")) return schema;
  if (context.expanding?.has(reference) === true) return {};
  return resolveLocalRef(context.root, reference) ?? {};
}

function unionVariants(schema: JsonSchema): JsonSchema[] | undefined {
  for (const keyword of ["anyOf", "oneOf"] as const) {
    const variants = schema[keyword];
    if (Array.isArray(variants)) return variants.filter(isRecord);
  }
  if (Array.isArray(schema.type)) {
    return schema.type.map((type) => ({ ...schema, type }));
  }
  return undefined;
}

/** A Python type hint for a JSON schema: `str`, `list[int]`, `Literal["a", "b"] | None`, ... */
export function pythonType(schema: JsonSchema, context: TypeContext = { root: schema }): string {
  if (typeof schema.$ref === "string") {
    if (context.expanding?.has(schema.$ref) === true) return "Any";
    const expanding = new Set(context.expanding ?? []).add(schema.$ref);
    return pythonType(resolveRef(schema, context), { ...context, expanding });
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return literal(schema.enum);
  }
  if ("const" in schema) return literal([schema.const]);
  const variants = unionVariants(schema);
  if (variants !== undefined) {
    const types = [...new Set(variants.map((variant) => pythonType(variant, context)))];
    if (types.includes("Any")) return "Any";
    const nonNull = types.filter((type) => type !== "None");
    const union = nonNull.length === 0 ? "None" : nonNull.join(" | ");
    return nonNull.length < types.length ? optional(union) : union;
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && isRecord(schema.allOf[0])) {
    return pythonType(schema.allOf[0], context);
  }
  switch (schema.type) {
    case "string":
      return "str";
    case "integer":
      return "int";
    case "number":
      return "float";
    case "boolean":
      return "bool";
    case "null":
      return "None";
    case "array": {
      if (Array.isArray(schema.prefixItems)) {
        const items = schema.prefixItems.filter(isRecord).map((item) => pythonType(item, context));
        return `tuple[${items.join(", ")}]`;
      }
      return isRecord(schema.items) ? `list[${pythonType(schema.items, context)}]` : "list";
    }
    case "object": {
      const values = schema.additionalProperties;
      const hasProperties = Object.keys(schemaProperties(schema)).length > 0;
      // Keys are listed in the comment; `dict` alone says the rest.
      return !hasProperties && isRecord(values) && Object.keys(values).length > 0
        ? `dict[str, ${pythonType(values, context)}]`
        : "dict";
    }
    default:
      return "properties" in schema ? "dict" : "Any";
  }
}

function literal(values: readonly unknown[]): string {
  const primitives = values.filter(
    (value) => value === null || ["string", "number", "boolean"].includes(typeof value)
  );
  if (primitives.length !== values.length) return "Any";
  const nonNull = primitives.filter((value) => value !== null);
  const hint = `Literal[${nonNull.map(pythonLiteral).join(",")}]`;
  if (nonNull.length === 0) return "None";
  return nonNull.length < primitives.length ? optional(hint) : hint;
}

function optional(type: string): string {
  return type === "Any" || type === "None" || /\| None$/.test(type) ? type : `${type} | None`;
}

/** A JSON value written as a Python literal. */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "None";
  // JSON string escapes are valid Python string escapes.
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(", ")}]`;
  if (isRecord(value)) {
    return `{${Object.entries(value)
      .map(([key, child]) => `${JSON.stringify(key)}: ${pythonLiteral(child)}`)
      .join(", ")}}`;
  }
  return "None";
}
