import type { StructuredToolInterface } from "@langchain/core/tools";
import { isMcpTool } from "./tool-results.js";
import { isPlainIdentifier, toolIdentifiers } from "./identifiers.js";
import {
  commentLines,
  constraintNotes,
  describeWithNotes,
  isRecord,
  LINE_BREAK,
  requiredNames,
  resolveLocalRef,
  schemaProperties,
  singleLine,
  toolSchemaToJsonSchema,
  type JsonSchema,
  toolOutputSchema,
} from "./json-schema.js";

// One space a level: " name" is one token where "  name" is two (o200k_base).
const INDENT = " ";

/**
 * Declared once above the tools when a schema has an integer: `limit?: int`
 * says in the type what would otherwise need a comment.
 */
export const INT_TYPE_ALIAS = "type int = number";

interface Declaration {
  text: string;
  usesInt: boolean;
}

// The prompt is rebuilt every turn: keep each tool's block.
const cache = new WeakMap<object, Map<string, Declaration>>();

/**
 * Renders TypeScript declarations of the tools as the JavaScript sandbox
 * exposes them, for the system prompt, compactly (a model reads every token
 * on every turn) but losing nothing the tool's JSON schema says:
 *
 * ```ts
 * type int = number
 *
 * // Get invoice records.
 * declare function get_invoice(args:{
 *  invoice_id:string // Identifier of the invoice.
 *  limit?:int // Maximum number of results. 1..100 default 10
 *  status?:"open"|"closed"
 * }): Promise<unknown>
 * ```
 *
 * The argument object is written inline, spaced like the minified JSON it
 * is compared with; each field's trailing `//` comment holds its
 * description, then the constraints TypeScript types cannot say (see
 * `constraintNotes`: ranges, lengths, formats, patterns, item counts,
 * defaults, examples). Integers are `int`, an alias of `number` declared
 * once ({@link INT_TYPE_ALIAS}). Nested objects are inline too; recursive
 * `$ref`s become a named `type` alias.
 *
 * Names are the identifiers of {@link toolIdentifiers}. The return type is
 * `Promise<unknown>` unless the tool has an `outputSchema` (a zod or JSON schema
 * property on the tool object), or `Promise<{ content: any; artifact: any }>`
 * for `content_and_artifact` tools. The result is a valid `.d.ts`, and is
 * deterministic and cached per tool object.
 */
export async function renderTypeScriptDeclarations(
  tools: readonly StructuredToolInterface[]
): Promise<string> {
  const identifiers = toolIdentifiers(tools, "javascript");
  const declarations = tools.map((tool, index) =>
    cachedDeclaration(tool, identifiers[index] ?? tool.name)
  );
  const blocks = declarations.map((declaration) => declaration.text);
  if (declarations.some((declaration) => declaration.usesInt)) blocks.unshift(INT_TYPE_ALIAS);
  return blocks.join("\n\n");
}

function cachedDeclaration(tool: StructuredToolInterface, identifier: string): Declaration {
  let perTool = cache.get(tool);
  if (perTool === undefined) {
    perTool = new Map();
    cache.set(tool, perTool);
  }
  let rendered = perTool.get(identifier);
  if (rendered === undefined) {
    rendered = renderDeclaration(tool, identifier);
    perTool.set(identifier, rendered);
  }
  return rendered;
}

function renderDeclaration(tool: StructuredToolInterface, identifier: string): Declaration {
  const schema = toolSchemaToJsonSchema(tool);
  const input = new TypeWriter(schema, pascalCase(identifier));
  const isObject = schema.type === "object" || "properties" in schema;
  let parameter: string;
  if (isObject && Object.keys(schemaProperties(schema)).length === 0) {
    parameter = "args?:{}";
  } else {
    const optional = isObject && requiredNames(schema).size === 0 ? "?" : "";
    parameter = `${isObject ? "args" : "input"}${optional}:${input.type(schema, 0)}`;
  }
  const output = toolOutputSchema(tool);
  const outputWriter =
    output === undefined ? undefined : new TypeWriter(output, `${pascalCase(identifier)}Output`);
  const returns =
    (tool as { responseFormat?: unknown }).responseFormat === "content_and_artifact" && !isMcpTool(tool)
      ? "{ content: any; artifact: any }"
      : output === undefined || outputWriter === undefined
        ? "unknown"
        : outputWriter.type(output, 0);
  const text = [
    ...input.aliases(),
    ...(outputWriter?.aliases() ?? []),
    ...commentLines(tool.description, "// "),
    `declare function ${identifier}(${parameter}): Promise<${returns}>`,
  ].join("\n");
  return { text, usesInt: input.usesInt || outputWriter?.usesInt === true };
}

function pascalCase(identifier: string): string {
  const pascal = identifier
    .split("_")
    .filter((part) => part !== "")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
  return /^[A-Za-z]/.test(pascal) ? pascal : `Tool${pascal}`;
}

/**
 * Writes the TypeScript type of one tool's schema. `$ref`s are expanded in
 * place; one that recurses is written once as `type <Prefix><Name> = ...`
 * (see {@link TypeWriter.aliases}), which TypeScript allows to refer to
 * itself.
 */
class TypeWriter {
  readonly #root: JsonSchema;
  readonly #prefix: string;
  readonly #expanding = new Set<string>();
  /** Alias name by `$ref`, for refs that recurse. */
  readonly #aliasNames = new Map<string, string>();
  readonly #aliases = new Map<string, string>();
  /** Whether a written type is `int` (see {@link INT_TYPE_ALIAS}). */
  usesInt = false;

  constructor(root: JsonSchema, prefix: string) {
    this.#root = root;
    this.#prefix = prefix;
  }

  /** The `type X = ...;` declarations the written types refer to. */
  aliases(): string[] {
    return [...this.#aliases.values()];
  }

  /** The type of `schema`, written at nesting `depth` (object members indented below it). */
  type(schema: JsonSchema, depth: number): string {
    return this.#write(schema, depth).text;
  }

  #write(schema: JsonSchema, depth: number): Written {
    const reference = schema.$ref;
    if (typeof reference === "string") return this.#reference(reference, depth);
    if (Array.isArray(schema.enum) && schema.enum.length > 0) {
      return union(schema.enum.map((value) => plain(literalType(value))), "|");
    }
    if ("const" in schema) return plain(literalType(schema.const));
    for (const keyword of ["anyOf", "oneOf"] as const) {
      const variants = schema[keyword];
      if (Array.isArray(variants) && variants.length > 0) {
        return union(variants.filter(isRecord).map((variant) => this.#write(variant, depth)));
      }
    }
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
      const parts = schema.allOf.filter(isRecord).map((part) => this.#write(part, depth));
      if (parts.length === 1 && parts[0] !== undefined) return parts[0];
      return { text: parts.map(parenthesize).join(" & "), compound: true };
    }
    if (Array.isArray(schema.type)) {
      return union(schema.type.map((type) => this.#write({ ...schema, type }, depth)));
    }
    switch (schema.type) {
      case "string":
        return plain("string");
      case "number":
        return plain("number");
      case "integer":
        this.usesInt = true;
        return plain("int");
      case "boolean":
        return plain("boolean");
      case "null":
        return plain("null");
      case "array":
        return plain(this.#array(schema, depth));
      case "object":
        return this.#object(schema, depth);
      default:
        return "properties" in schema ? this.#object(schema, depth) : plain("any");
    }
  }

  #reference(reference: string, depth: number): Written {
    const known = this.#aliasNames.get(reference);
    if (known !== undefined) return plain(known);
    const target = resolveLocalRef(this.#root, reference);
    if (target === undefined) return plain("any");
    if (this.#expanding.has(reference)) {
      // Recursion: name the type, written (once) at the top level.
      const base = `${this.#prefix}${pascalCase(reference.split("/").at(-1) ?? "Type")}`;
      const name = [...this.#aliasNames.values()].includes(base)
        ? `${base}${this.#aliasNames.size + 1}`
        : base;
      this.#aliasNames.set(reference, name);
      return plain(name);
    }
    this.#expanding.add(reference);
    const written = this.#write(target, depth);
    this.#expanding.delete(reference);
    const name = this.#aliasNames.get(reference);
    if (name !== undefined && !this.#aliases.has(reference)) {
      this.#aliases.set(reference, `type ${name} = ${this.type(target, 0)};`);
      return plain(name);
    }
    return written;
  }

  #array(schema: JsonSchema, depth: number): string {
    const tuple = Array.isArray(schema.prefixItems)
      ? schema.prefixItems
      : Array.isArray(schema.items)
        ? schema.items
        : undefined;
    if (tuple !== undefined) {
      return `[${tuple.filter(isRecord).map((item) => this.type(item, depth)).join(", ")}]`;
    }
    const item = isRecord(schema.items) ? this.#write(schema.items, depth) : plain("any");
    return `${parenthesize(item)}[]`;
  }

  #object(schema: JsonSchema, depth: number): Written {
    const properties = Object.entries(schemaProperties(schema));
    const values = schema.additionalProperties;
    const valueType =
      isRecord(values) && Object.keys(values).length > 0 ? this.type(values, depth) : "any";
    if (properties.length === 0) return plain(`Record<string, ${valueType}>`);
    const required = requiredNames(schema);
    const pad = INDENT.repeat(depth + 1);
    const members = properties.flatMap(([name, property]) => {
      const key = isPlainIdentifier(name) || /^[$A-Za-z_][$\w]*$/.test(name) ? name : JSON.stringify(name);
      const optional = required.has(name) ? "" : "?";
      const description = typeof property.description === "string" ? property.description.trim() : "";
      const multiline = LINE_BREAK.test(description);
      const comment = singleLine(
        describeWithNotes(multiline ? "" : description, constraintNotes(property, { defaults: true }))
      );
      const type = this.type(property, depth + 1);
      // A nested object's comment goes after its opening brace.
      const [first = "", ...rest] = type.split("\n");
      const head = `${pad}${key}${optional}:${first}${comment === "" ? "" : ` // ${comment}`}`;
      return [...(multiline ? commentLines(description, `${pad}// `) : []), head, ...rest];
    });
    const literal = ["{", ...members, `${INDENT.repeat(depth)}}`].join("\n");
    // Other keys' type as an intersection: an index signature would have to
    // admit every listed property's type too.
    return valueType === "any"
      ? plain(literal)
      : { text: `${literal} & Record<string, ${valueType}>`, compound: true };
  }
}

/** A written type; `compound` when it needs parentheses inside `T[]` or `A & B`. */
interface Written {
  text: string;
  compound: boolean;
}

function plain(text: string): Written {
  return { text, compound: false };
}

function literalType(value: unknown): string {
  if (value === null) return "null";
  if (["string", "number", "boolean"].includes(typeof value)) return JSON.stringify(value);
  return "any";
}

// Enums are written `"a"|"b"`: three tokens fewer for four values than `"a" | "b"`.
function union(types: readonly Written[], separator = " | "): Written {
  const unique = [...new Set(types.map((type) => type.text))];
  if (unique.includes("any")) return plain("any");
  if (unique.length === 1 && types[0] !== undefined) return types[0];
  return unique.length === 0 ? plain("never") : { text: unique.join(separator), compound: true };
}

function parenthesize(type: Written): string {
  return type.compound ? `(${type.text})` : type.text;
}
