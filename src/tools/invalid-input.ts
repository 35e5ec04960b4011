/**
 * Why a tool's input is invalid, in words the model can act on: one
 * `path: problem` per field, from the tool's zod schema or its JSON schema.
 */
import type { StructuredToolInterface } from "@langchain/core/tools";
import { interopSafeParseAsync, isInteropZodSchema } from "@langchain/core/utils/types";
import { Validator } from "@langchain/core/utils/json_schema";
import { isRecord, type JsonSchema } from "./json-schema.js";
import { describeSchemaIssues, issueLine, lowerFirst, valueAtPath, type SchemaIssue } from "../shared/zod-issues.js";

/** Lists what is wrong with `input`, one `path: problem` per field. */
export async function describeInvalidInput(
  tool: StructuredToolInterface,
  jsonSchema: JsonSchema,
  input: unknown
): Promise<string | undefined> {
  const problems = isInteropZodSchema(tool.schema)
    ? await zodProblems(tool.schema, input)
    : jsonSchemaProblems(tool.schema, jsonSchema, input);
  const unique = [...new Set(problems)];
  return unique.length === 0 ? undefined : unique.join("; ");
}

async function zodProblems(
  schema: Parameters<typeof interopSafeParseAsync>[0],
  input: unknown
): Promise<string[]> {
  const result = await interopSafeParseAsync(schema, input);
  if (result.success) return [];
  return describeSchemaIssues((result.error as { issues?: SchemaIssue[] }).issues ?? [], input);
}

// Structural keywords only say "a child failed": the child's own error says what.
const STRUCTURAL_KEYWORDS = new Set([
  "properties",
  "items",
  "prefixItems",
  "additionalItems",
  "allOf",
  "$ref",
  "false",
  "dependentSchemas",
]);

function jsonSchemaProblems(
  rawSchema: unknown,
  jsonSchema: JsonSchema,
  input: unknown
): string[] {
  const schema = isRecord(rawSchema) ? rawSchema : jsonSchema;
  const { errors } = new Validator(schema as never, "2020-12", false).validate(
    input
  );
  const problems: string[] = [];
  for (const error of errors) {
    if (STRUCTURAL_KEYWORDS.has(error.keyword)) continue;
    const path = error.instanceLocation
      .replace(/^#\/?/, "")
      .split("/")
      .filter((segment) => segment !== "")
      .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
    const value = valueAtPath(input, path);
    const quoted = /"([^"]*)"/.exec(error.error)?.[1];
    if (error.keyword === "type") {
      const expected = /Expected "([^"]+)"/.exec(error.error)?.[1] ?? "another type";
      problems.push(issueLine(path, `expected ${expected}, received ${typeName(value)}`));
    } else if (error.keyword === "required" && quoted !== undefined) {
      problems.push(issueLine([...path, quoted], "missing (required)"));
    } else if (error.keyword === "additionalProperties" && quoted !== undefined) {
      problems.push(issueLine([...path, quoted], "unexpected field"));
    } else if (error.keyword === "enum" || error.keyword === "const") {
      const allowed = error.error.replace(/^Instance does not match (any of )?/, "");
      problems.push(
        issueLine(path, `expected ${allowed.replace(/\.$/, "")}, received ${JSON.stringify(value)}`)
      );
    } else {
      problems.push(issueLine(path, lowerFirst(error.error.replace(/\.$/, ""))));
    }
  }
  return problems;
}


function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}


