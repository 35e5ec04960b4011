import type { StructuredToolInterface } from "@langchain/core/tools";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import { isPythonParameterName, toolIdentifiers } from "./identifiers.js";
import {
  isRecord,
  orderedParameters,
  requiredNames,
  schemaProperties,
  toolSchemaToJsonSchema,
  type JsonSchema,
} from "./json-schema.js";

const INDENT = "    ";
/** Signatures longer than this put one parameter per line. */
const MAX_SIGNATURE_CHARS = 88;
/** How deep nested object fields are listed in a docstring. */
const MAX_DOC_DEPTH = 3;

const TYPING_IMPORT = "from typing import Any, Literal, Optional";

/**
 * Renders Python stubs of the tools as the Python sandbox exposes them, for
 * the system prompt: a typing import, then per tool
 * `def name(query: str, limit: int = 10) -> Any:` with a docstring (the
 * description, then `Args:` with each field's description and the keys of
 * nested objects). Required parameters come before optional ones, in the
 * order the executor maps positional arguments (see `HostFunction.parameters`).
 * Fields whose names cannot be Python parameters (`from`, `max-results`) are
 * taken through `**kwargs` and listed in the docstring.
 */
export function renderPythonStubs(
  tools: readonly StructuredToolInterface[]
): string {
  if (tools.length === 0) return "";
  const identifiers = toolIdentifiers(tools, "python");
  const stubs = tools.map((tool, index) =>
    renderStub(tool, identifiers[index] ?? tool.name)
  );
  return [TYPING_IMPORT, ...stubs].join("\n\n");
}

function renderStub(tool: StructuredToolInterface, identifier: string): string {
  const schema = toolSchemaToJsonSchema(tool);
  const properties = schemaProperties(schema);
  const required = requiredNames(schema);
  const context: TypeContext = { root: schema };

  const parameters = orderedParameters(schema, "python").map((name) => {
    const property = properties[name] ?? {};
    const type = pythonType(property, context);
    if (required.has(name)) return `${name}: ${type}`;
    if ("default" in property && property.default !== null) {
      return `${name}: ${type} = ${pythonLiteral(property.default)}`;
    }
    return `${name}: ${optional(type)} = None`;
  });
  const keywordOnly = Object.keys(properties).filter(
    (name) => !isPythonParameterName(name)
  );
  if (keywordOnly.length > 0) parameters.push("**kwargs: Any");

  const returns = returnType(tool, context);
  const oneLine = `def ${identifier}(${parameters.join(", ")}) -> ${returns.type}:`;
  const signature =
    oneLine.length <= MAX_SIGNATURE_CHARS
      ? oneLine
      : [
          `def ${identifier}(`,
          ...parameters.map((parameter) => `${INDENT}${parameter},`),
          `) -> ${returns.type}:`,
        ].join("\n");

  const doc: string[] = [];
  const description = tool.description.trim();
  if (description !== "") doc.push(...description.split(/\r?\n/));
  const documented = [...orderedParameters(schema, "python"), ...keywordOnly];
  const argumentLines = documented.flatMap((name) =>
    describeField(name, properties[name] ?? {}, !required.has(name), context, 1, true)
  );
  if (argumentLines.length > 0) {
    if (doc.length > 0) doc.push("");
    doc.push("Args:", ...argumentLines);
  }
  if (keywordOnly.length > 0) {
    const example = keywordOnly[0] ?? "";
    doc.push(
      "",
      `Pass ${keywordOnly.map((name) => JSON.stringify(name)).join(", ")} by ` +
        `keyword: ${identifier}(**{${JSON.stringify(example)}: ...}).`
    );
  }
  if (returns.doc !== undefined) {
    if (doc.length > 0) doc.push("");
    doc.push("Returns:", ...returns.doc);
  }
  return doc.length === 0
    ? `${signature}\n${INDENT}...`
    : `${signature}\n${docstring(doc)}`;
}

function returnType(
  tool: StructuredToolInterface,
  context: TypeContext
): { type: string; doc?: string[] } {
  const { outputSchema, responseFormat } = tool as {
    outputSchema?: unknown;
    responseFormat?: unknown;
  };
  if (responseFormat === "content_and_artifact") {
    return {
      type: "dict[str, Any]",
      doc: [
        `${INDENT}A dict {"content": ..., "artifact": ...}: the text and the raw data.`,
      ],
    };
  }
  if (outputSchema === undefined || outputSchema === null) return { type: "Any" };
  const converted = toJsonSchema(outputSchema as Parameters<typeof toJsonSchema>[0]);
  if (!isRecord(converted)) return { type: "Any" };
  const fields = Object.entries(schemaProperties(converted)).flatMap(
    ([name, property]) =>
      describeField(name, property, !requiredNames(converted).has(name), { root: converted }, 2, false)
  );
  return {
    type: pythonType(converted, { ...context, root: converted }),
    ...(fields.length > 0 ? { doc: [`${INDENT}A dict with keys:`, ...fields] } : {}),
  };
}

/** Docstring lines for one field and, below it, the keys of nested objects. */
function describeField(
  name: string,
  property: JsonSchema,
  isOptional: boolean,
  context: TypeContext,
  depth: number,
  isArgument: boolean
): string[] {
  const pad = INDENT.repeat(depth);
  const resolved = resolveRef(property, context);
  const description =
    typeof resolved.description === "string"
      ? resolved.description.trim().replace(/\s*\n\s*/g, " ")
      : "";
  const nested = depth < MAX_DOC_DEPTH ? nestedObject(resolved, context) : undefined;
  // An argument without a description or keys says nothing the signature does not.
  if (isArgument && description === "" && nested === undefined) return [];
  // Arguments show their type and default in the signature; nested keys here.
  const qualifiers = isArgument
    ? []
    : [
        pythonType(resolved, context),
        ...(isOptional ? ["optional"] : []),
        ...("default" in resolved ? [`default ${pythonLiteral(resolved.default)}`] : []),
      ];
  const label = qualifiers.length > 0 ? `${name} (${qualifiers.join(", ")})` : name;
  const text = [sentence(description), nested?.intro ?? ""]
    .filter((part) => part !== "")
    .join(" ");
  const lines = [text === "" ? `${pad}${label}` : `${pad}${label}: ${text}`];
  if (nested !== undefined) {
    const nestedRequired = requiredNames(nested.schema);
    for (const [key, child] of Object.entries(schemaProperties(nested.schema))) {
      lines.push(
        ...describeField(key, child, !nestedRequired.has(key), context, depth + 1, false)
      );
    }
  }
  return lines;
}

/** The object schema whose keys a field's docs should list, if any. */
function nestedObject(
  schema: JsonSchema,
  context: TypeContext
): { schema: JsonSchema; intro: string } | undefined {
  const hasKeys = (candidate: JsonSchema): boolean =>
    Object.keys(schemaProperties(candidate)).length > 0;
  const direct = nonNullVariant(schema, context);
  if (hasKeys(direct)) return { schema: direct, intro: "A dict with keys:" };
  if (isRecord(direct.items)) {
    const item = nonNullVariant(resolveRef(direct.items, context), context);
    if (hasKeys(item)) return { schema: item, intro: "Each item is a dict with keys:" };
  }
  return undefined;
}

// `Optional[X]` schemas document the keys of X.
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
  let target: unknown = context.root;
  for (const segment of reference.replace(/^#\/?/, "").split("/")) {
    if (segment === "") continue;
    if (!isRecord(target)) return {};
    target = target[segment.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return isRecord(target) ? target : {};
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

/** A Python type hint for a JSON schema. */
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
    case "array":
      return `list[${isRecord(schema.items) ? pythonType(schema.items, context) : "Any"}]`;
    case "object": {
      const values = schema.additionalProperties;
      const hasProperties = Object.keys(schemaProperties(schema)).length > 0;
      return !hasProperties && isRecord(values) && Object.keys(values).length > 0
        ? `dict[str, ${pythonType(values, context)}]`
        : "dict[str, Any]";
    }
    default:
      return "Any";
  }
}

function literal(values: readonly unknown[]): string {
  const primitives = values.filter(
    (value) => value === null || ["string", "number", "boolean"].includes(typeof value)
  );
  if (primitives.length !== values.length) return "Any";
  const nonNull = primitives.filter((value) => value !== null);
  const hint = `Literal[${nonNull.map(pythonLiteral).join(", ")}]`;
  if (nonNull.length === 0) return "None";
  return nonNull.length < primitives.length ? optional(hint) : hint;
}

function optional(type: string): string {
  return type.startsWith("Optional[") || type === "Any" || type === "None"
    ? type
    : `Optional[${type}]`;
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

function sentence(text: string): string {
  return text === "" || /[.!?:]$/.test(text) ? text : `${text}.`;
}

function docstring(lines: readonly string[]): string {
  const escaped = lines.map((line) =>
    line.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"')
  );
  if (escaped.length === 1) return `${INDENT}"""${escaped[0]}"""`;
  return [
    `${INDENT}"""${escaped[0]}`,
    ...escaped.slice(1).map((line) => (line === "" ? "" : `${INDENT}${line}`)),
    `${INDENT}"""`,
  ].join("\n");
}
